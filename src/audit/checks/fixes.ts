/** Ready-to-use fixes that recommendations embed. */

/** The bucket-policy statement that denies every request made without TLS. */
export function tlsOnlyPolicy(bucket: string): object {
  return {
    Version: '2012-10-17',
    Statement: [{
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
      Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } },
    }],
  };
}
