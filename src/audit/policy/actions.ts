import type { Severity } from '../types';

/**
 * Every S3 action that acts on a bucket or on its objects, classified by what it lets a
 * caller do to the data lake, with the severity of granting it to everyone (anonymous
 * callers) and to any authenticated principal of any AWS account. Names and resource
 * types follow the Service Authorization Reference for Amazon S3; account-, access-point-
 * and job-level actions are left out because a bucket policy cannot grant them on a bucket.
 *
 * Why both audiences carry the same severity: "any AWS account" is anyone who signs up,
 * so an action granted to it is as exposed as a public one. The two columns stay apart so
 * that a report says which audience a grant reaches.
 */
export type ActionCategory = 'read' | 'list' | 'write' | 'delete' | 'configuration' | 'data protection' | 'policy' | 'ACL' | 'unclassified';
export type ResourceType = 'bucket' | 'object';

export interface S3Action {
  name: string;
  resource: ResourceType;
  category: ActionCategory;
  /** Reads of settings (configuration, policy, ACL, protection) rather than changes. */
  readsSettings?: boolean;
  severity: { anonymous: Severity; anyAwsAccount: Severity };
}

const both = (severity: Severity) => ({ anonymous: severity, anyAwsAccount: severity });

/** Severity of each category: changes first, reads of settings after. */
const CHANGE: Record<ActionCategory, Severity> = {
  read: 'critical', // the tables' rows (personal data)
  list: 'high', // every key, size and date: the lake's shape, and what to read or delete
  write: 'critical', // overwrite or plant data files
  delete: 'critical', // erase tables and backups
  configuration: 'high', // redirect notifications and inventories, host a website, run up costs
  'data protection': 'critical', // expire, stop versioning, unlock or replicate away every backup
  policy: 'critical', // grant oneself anything
  ACL: 'critical', // grant oneself anything through ACLs
  unclassified: 'high', // an S3 action this table does not know yet, named by a policy
};
const SETTINGS_READ: Record<'configuration' | 'data protection' | 'policy' | 'ACL', Severity> = {
  configuration: 'low',
  'data protection': 'low',
  policy: 'medium', // shows who else may act on the bucket, and how to get in
  ACL: 'medium',
};

type Row = [name: string, resource: ResourceType, category: ActionCategory, readsSettings?: true];
const ROWS: Row[] = [
  // Objects: data
  ['s3:GetObject', 'object', 'read'],
  ['s3:GetObjectVersion', 'object', 'read'],
  ['s3:GetObjectAttributes', 'object', 'read'],
  ['s3:GetObjectVersionAttributes', 'object', 'read'],
  ['s3:GetObjectTorrent', 'object', 'read'],
  ['s3:GetObjectVersionTorrent', 'object', 'read'],
  ['s3:GetObjectVersionForReplication', 'object', 'read'],
  ['s3:GetObjectTagging', 'object', 'read'],
  ['s3:GetObjectVersionTagging', 'object', 'read'],
  ['s3:ListMultipartUploadParts', 'object', 'list'],
  ['s3:PutObject', 'object', 'write'],
  ['s3:PutObjectTagging', 'object', 'write'],
  ['s3:PutObjectVersionTagging', 'object', 'write'],
  ['s3:DeleteObjectTagging', 'object', 'write'],
  ['s3:DeleteObjectVersionTagging', 'object', 'write'],
  ['s3:AbortMultipartUpload', 'object', 'write'],
  ['s3:RestoreObject', 'object', 'write'],
  ['s3:ReplicateObject', 'object', 'write'],
  ['s3:ReplicateTags', 'object', 'write'],
  ['s3:InitiateReplication', 'object', 'write'],
  ['s3:DeleteObject', 'object', 'delete'],
  ['s3:DeleteObjectVersion', 'object', 'delete'],
  ['s3:ReplicateDelete', 'object', 'delete'],
  // Objects: protection and permissions
  ['s3:PutObjectRetention', 'object', 'data protection'],
  ['s3:PutObjectLegalHold', 'object', 'data protection'],
  ['s3:BypassGovernanceRetention', 'object', 'data protection'],
  ['s3:GetObjectRetention', 'object', 'data protection', true],
  ['s3:GetObjectLegalHold', 'object', 'data protection', true],
  ['s3:PutObjectAcl', 'object', 'ACL'],
  ['s3:PutObjectVersionAcl', 'object', 'ACL'],
  ['s3:ObjectOwnerOverrideToBucketOwner', 'object', 'ACL'],
  ['s3:GetObjectAcl', 'object', 'ACL', true],
  ['s3:GetObjectVersionAcl', 'object', 'ACL', true],
  // Bucket: listing and deletion
  ['s3:ListBucket', 'bucket', 'list'],
  ['s3:ListBucketVersions', 'bucket', 'list'],
  ['s3:ListBucketMultipartUploads', 'bucket', 'list'],
  ['s3:DeleteBucket', 'bucket', 'delete'],
  // Bucket: data protection
  ['s3:PutBucketVersioning', 'bucket', 'data protection'],
  ['s3:PutBucketObjectLockConfiguration', 'bucket', 'data protection'],
  ['s3:PutLifecycleConfiguration', 'bucket', 'data protection'],
  ['s3:PutReplicationConfiguration', 'bucket', 'data protection'],
  ['s3:PutEncryptionConfiguration', 'bucket', 'data protection'],
  ['s3:GetBucketVersioning', 'bucket', 'data protection', true],
  ['s3:GetBucketObjectLockConfiguration', 'bucket', 'data protection', true],
  ['s3:GetLifecycleConfiguration', 'bucket', 'data protection', true],
  ['s3:GetReplicationConfiguration', 'bucket', 'data protection', true],
  ['s3:GetEncryptionConfiguration', 'bucket', 'data protection', true],
  // Bucket: policy and public access block
  ['s3:PutBucketPolicy', 'bucket', 'policy'],
  ['s3:DeleteBucketPolicy', 'bucket', 'policy'],
  ['s3:PutBucketPublicAccessBlock', 'bucket', 'policy'],
  ['s3:GetBucketPolicy', 'bucket', 'policy', true],
  ['s3:GetBucketPolicyStatus', 'bucket', 'policy', true],
  ['s3:GetBucketPublicAccessBlock', 'bucket', 'policy', true],
  // Bucket: ACL and ownership
  ['s3:PutBucketAcl', 'bucket', 'ACL'],
  ['s3:PutBucketOwnershipControls', 'bucket', 'ACL'],
  ['s3:GetBucketAcl', 'bucket', 'ACL', true],
  ['s3:GetBucketOwnershipControls', 'bucket', 'ACL', true],
  // Bucket: other configuration
  ['s3:PutBucketCORS', 'bucket', 'configuration'],
  ['s3:PutBucketWebsite', 'bucket', 'configuration'],
  ['s3:DeleteBucketWebsite', 'bucket', 'configuration'],
  ['s3:PutBucketLogging', 'bucket', 'configuration'],
  ['s3:PutBucketNotification', 'bucket', 'configuration'],
  ['s3:PutBucketRequestPayment', 'bucket', 'configuration'],
  ['s3:PutBucketTagging', 'bucket', 'configuration'],
  ['s3:PutAccelerateConfiguration', 'bucket', 'configuration'],
  ['s3:PutAnalyticsConfiguration', 'bucket', 'configuration'],
  ['s3:PutInventoryConfiguration', 'bucket', 'configuration'],
  ['s3:PutMetricsConfiguration', 'bucket', 'configuration'],
  ['s3:PutIntelligentTieringConfiguration', 'bucket', 'configuration'],
  ['s3:GetBucketLocation', 'bucket', 'configuration', true],
  ['s3:GetBucketCORS', 'bucket', 'configuration', true],
  ['s3:GetBucketWebsite', 'bucket', 'configuration', true],
  ['s3:GetBucketLogging', 'bucket', 'configuration', true],
  ['s3:GetBucketNotification', 'bucket', 'configuration', true],
  ['s3:GetBucketRequestPayment', 'bucket', 'configuration', true],
  ['s3:GetBucketTagging', 'bucket', 'configuration', true],
  ['s3:GetAccelerateConfiguration', 'bucket', 'configuration', true],
  ['s3:GetAnalyticsConfiguration', 'bucket', 'configuration', true],
  ['s3:GetInventoryConfiguration', 'bucket', 'configuration', true],
  ['s3:GetMetricsConfiguration', 'bucket', 'configuration', true],
  ['s3:GetIntelligentTieringConfiguration', 'bucket', 'configuration', true],
];

export const S3_ACTIONS: readonly S3Action[] = ROWS.map(([name, resource, category, readsSettings]) => ({
  name, resource, category,
  ...(readsSettings ? { readsSettings } : {}),
  severity: both(readsSettings ? SETTINGS_READ[category as keyof typeof SETTINGS_READ] : CHANGE[category]),
}));

const BY_NAME = new Map(S3_ACTIONS.map((a) => [a.name.toLowerCase(), a]));

export function s3Action(name: string): S3Action | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/**
 * S3 actions a policy names literally that the table does not know (a newer action):
 * judged on bucket and objects alike, as unclassified, rather than ignored.
 */
export function unclassifiedActions(patterns: readonly string[]): S3Action[] {
  return [...new Set(patterns.filter((p) => /^s3:[A-Za-z]+$/.test(p) && !BY_NAME.has(p.toLowerCase())))]
    .flatMap((name) => (['bucket', 'object'] as const).map((resource) => ({ name, resource, category: 'unclassified' as const, severity: both(CHANGE.unclassified) })));
}
