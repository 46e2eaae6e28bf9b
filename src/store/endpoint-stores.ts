import type { Config } from '../config/config';
import { credentialsIdentity, resolveEndpoint, storeKey, type EndpointSettings, type LocationName, type ResolvedEndpoint } from '../config/endpoints';
import { openEndpoint, type OpenStore, type StoreTuning } from './open';

/**
 * The stores of one run, one per endpoint: the primary one (opened by the caller) and any
 * other a location or a flag names, opened on first use and kept until close(). Two
 * locations on the same endpoint with the same credentials share one store (one client,
 * one pool of connections, one embedded server).
 */
export class EndpointStores {
  private readonly opened = new Map<string, Promise<OpenStore>>();

  constructor(private readonly config: StoreTuning & Pick<Config, 'locationEndpoints'>, readonly primary: OpenStore) {
    this.opened.set(storeKey(primary.resolved), Promise.resolve(primary));
  }

  /** Resolves settings (profile files read, ConfigError on any problem) and opens their store. */
  async openSettings(settings: EndpointSettings): Promise<OpenStore> {
    return this.open(await resolveEndpoint(settings));
  }

  /** The store of a location: its own endpoint when it has one, else the primary. */
  forLocation(location: LocationName): Promise<OpenStore> {
    const settings = this.config.locationEndpoints[location];
    return settings ? this.openSettings(settings) : Promise.resolve(this.primary);
  }

  /** The store of an endpoint, opened once per run. */
  open(endpoint: ResolvedEndpoint): Promise<OpenStore> {
    const key = storeKey(endpoint);
    let opening = this.opened.get(key);
    if (!opening) {
      opening = openEndpoint(endpoint, this.config);
      // A failed open is not kept: the next call tries again (and reports its own error).
      opening.catch(() => this.opened.delete(key));
      this.opened.set(key, opening);
    }
    return opening;
  }

  /** Closes every store this registry opened; the primary stays with its owner. */
  async close(): Promise<void> {
    const others = [...this.opened.values()];
    this.opened.clear();
    await Promise.all(others.map(async (opening) => {
      const open = await opening.catch(() => undefined);
      if (open && open !== this.primary) await open.close();
    }));
  }
}

/**
 * Whether a copy from one store to another can stay on the server (CopyObject,
 * UploadPartCopy): the same server, and one signer that reads the source and writes the
 * destination. Otherwise the bytes must stream through the client (store/cross-copy.ts).
 */
export function serverSideCopyPossible(source: OpenStore, destination: OpenStore): boolean {
  return source.resolved.identity === destination.resolved.identity
    && credentialsIdentity(source.resolved.credentials) === credentialsIdentity(destination.resolved.credentials);
}
