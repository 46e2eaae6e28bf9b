export { analysePolicy, type Exposure, type PolicyAnalysis } from './analyse';
export { S3_ACTIONS, s3Action } from './actions';
export { globMatches } from './glob';
export type { Audience } from './requests';
export { audienceName } from './describe';
