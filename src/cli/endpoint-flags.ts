import type { Command } from 'commander';
import type { RepositoryOption } from '../api/repositories';
import { checkEndpointSetting } from '../config/endpoints';

/**
 * `--<name>-profile`, `--<name>-endpoint`, `--<name>-region`, `--<name>-ca-bundle`: the
 * endpoint of a repository named by `--<name> s3://…`, when it is not the primary one.
 */
export function addEndpointFlags(command: Command, name: string, what: string): Command {
  return command
    .option(`--${name}-profile <profile>`, `${what}'s endpoint, keys, region and CA from this profile of the AWS shared config files`)
    .option(`--${name}-endpoint <url>`, `${what}'s endpoint (its keys from --${name}-profile: the primary's are never sent elsewhere)`)
    .option(`--${name}-region <region>`, `${what}'s signing region`)
    .option(`--${name}-ca-bundle <file>`, `PEM file of CAs to trust for ${what}`);
}

/** The repository option the flags give: `{ uri, endpoint }`, or undefined without `--<name>`. */
export function repositoryFromFlags(flags: object, name: string): RepositoryOption | undefined {
  const read = (suffix: string) => {
    const value = (flags as Record<string, unknown>)[`${name}${suffix}`];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const uri = read('');
  const profile = read('Profile');
  const endpoint = read('Endpoint');
  const region = read('Region');
  const caBundle = read('CaBundle');
  const settings = {
    ...(profile ? { profile } : {}),
    ...(endpoint ? { endpoint: checkEndpointSetting(endpoint, `--${name}-endpoint`) } : {}),
    ...(region ? { region } : {}),
    ...(caBundle ? { caBundle } : {}),
  };
  if (!uri && !Object.keys(settings).length) return undefined;
  return { ...(uri ? { uri } : {}), ...(Object.keys(settings).length ? { endpoint: settings } : {}) };
}
