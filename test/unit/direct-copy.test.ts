import { copyResultEtag } from '../../src/store/direct-copy';

/** The direct CopyObject path succeeds only on a CopyObjectResult; anything else goes to the SDK. */
describe('copyResultEtag', () => {
  it('reads the ETag of a CopyObjectResult, quoted as S3 and MinIO send it or entity-escaped as RGW does', () => {
    const s3 = '<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LastModified>2026-11-29T03:00:00.000Z</LastModified><ETag>"9b2cf535f27731c974343645a3985328"</ETag></CopyObjectResult>';
    const rgw = '<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><LastModified>2026-11-29T03:00:00.000Z</LastModified><ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag></CopyObjectResult>';
    expect(copyResultEtag(s3)).toBe('9b2cf535f27731c974343645a3985328');
    expect(copyResultEtag(rgw)).toBe('9b2cf535f27731c974343645a3985328');
  });

  it('refuses an error document, even one sent with status 200, and a result without an ETag', () => {
    const error = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error.</Message><ETag>"x"</ETag></Error>';
    expect(copyResultEtag(error)).toBeUndefined();
    expect(copyResultEtag('<CopyObjectResult><LastModified>2026-11-29T03:00:00.000Z</LastModified></CopyObjectResult>')).toBeUndefined();
    expect(copyResultEtag('')).toBeUndefined();
    expect(copyResultEtag('<CopyObjectResultX><ETag>"y"</ETag></CopyObjectResultX>')).toBeUndefined();
  });
});
