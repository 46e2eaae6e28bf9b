export { analysePolicy, type AnalysisOptions, type Exposure, type NarrowedGrant, type PolicyAnalysis, type TlsEnforcement } from './analyse';
export { actionSet, expandActions, S3_ACTIONS, s3Action, type ActionCategory, type S3Action } from './actions';
export { globMatches } from './glob';
export type { Audience } from './requests';
export { audienceName } from './describe';
