import type { AclGrant } from '../../store/bucket-settings';
import { s3Action } from '../policy';
import { severityRank, type Severity } from '../types';

/**
 * What a bucket ACL permission lets its grantee do, in policy actions (Amazon S3 User Guide,
 * "Access control list (ACL) overview": mapping of ACL permissions and access policy
 * permissions), so that an ACL grant is rated with the same table as a policy grant.
 */
const BUCKET_ACL_ACTIONS: Record<string, string[]> = {
  READ: ['s3:ListBucket', 's3:ListBucketVersions', 's3:ListBucketMultipartUploads'],
  WRITE: ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion'],
  READ_ACP: ['s3:GetBucketAcl'],
  WRITE_ACP: ['s3:PutBucketAcl'],
};
BUCKET_ACL_ACTIONS.FULL_CONTROL = Object.values(BUCKET_ACL_ACTIONS).flat();

/** The severity of grants to AllUsers (anyone) or AuthenticatedUsers (any AWS account). */
export function aclGrantSeverity(grants: AclGrant[]): Severity {
  let worst: Severity = 'info';
  for (const grant of grants) {
    const audience = /AllUsers/.test(grant.grantee) ? 'anonymous' : 'anyAwsAccount';
    for (const name of (Object.hasOwn(BUCKET_ACL_ACTIONS, grant.permission) ? BUCKET_ACL_ACTIONS[grant.permission] : BUCKET_ACL_ACTIONS.FULL_CONTROL)!) {
      const severity = s3Action(name)!.severity[audience];
      if (severityRank(severity) > severityRank(worst)) worst = severity;
    }
  }
  return worst;
}
