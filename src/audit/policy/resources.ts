import type { PolicyDocument } from './document';
import { globMatches } from './glob';
import { instances } from './requests';

/**
 * The bucket and object ARNs that stand for every resource a policy tells apart: the
 * bucket, two unlike keys for "any key", and a key inside each object pattern the policy
 * names (so "all objects except secret/*" and "objects under public/*" can be told). A
 * pattern with policy variables (home/${aws:username}/*) gives a template, which each
 * request fills in with its own values.
 */
export interface ResourceRep {
  arn: string;
  /** For object keys: the pattern the key stands for, or undefined for "any key". */
  label?: string;
}

export interface ResourceReps {
  bucket: ResourceRep;
  objects: ResourceRep[];
}

/** Object keys that stand for every key the policy's resource patterns tell apart. */
export function resourceReps(document: PolicyDocument, bucket: string): ResourceReps {
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const objects: ResourceRep[] = [{ arn: `${bucketArn}/q` }, { arn: `${bucketArn}/zz-q/9/x.parquet` }];
  for (const statement of document.statements) {
    for (const pattern of statement.resource.patterns) {
      const m = /^arn:aws:s3:::([^/]*)\/(.*)$/.exec(pattern);
      if (!m || !globMatches(m[1]!, bucket)) continue;
      // A key named by variables stays a template: each request fills it in with its own values.
      const keys = document.variables && m[2]!.includes('${') ? [m[2]!.replace(/\*/g, 'zq').replace(/\?/g, 'z')] : instances(m[2]!);
      for (const key of keys) {
        const arn = `${bucketArn}/${key}`;
        if (key && !objects.some((o) => o.arn === arn)) objects.push({ arn, label: m[2]! });
      }
    }
  }
  return { bucket: { arn: bucketArn }, objects };
}
