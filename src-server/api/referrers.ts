/**
 * Handler and payload check of `browse:referrer`: a referrer's manifest and content for the image
 * screen's viewer (browse/referrer-content.ts).
 */
import type { Browser } from '../browse/browser';
import { referrerContent } from '../browse/referrer-content';
import { parseDigest } from '../core/digest';
import { isValidName } from '../core/names';
import { ArgsError, object, requiredString, type Checks } from './args-kit';
import type { CoreHandler } from './handler-types';

/** The channels of this area. */
export type ReferrerChannel = 'browse:referrer';

/** The channels of this area, at run time. */
export const REFERRER_CHANNELS: readonly ReferrerChannel[] = ['browse:referrer'];

/** Builds the handler over the browse service (its cache and limiter). */
export function createReferrerHandlers(browser: Browser): { [C in ReferrerChannel]: CoreHandler<C> } {
  return {
    'browse:referrer': async (args) => referrerContent((await browser.context(args.connection)).reader, args.repository, args.digest),
  };
}

/** Payload checks of this area. */
export const REFERRER_CHECKS: Checks<ReferrerChannel> = {
  'browse:referrer': (raw) => {
    const o = object(raw, ['connection', 'repository', 'digest']);
    const connection = requiredString(o, 'connection');
    if (!connection.trim()) throw new ArgsError('connection must not be empty');
    const repository = requiredString(o, 'repository');
    if (!isValidName(repository)) throw new ArgsError(`repository ${JSON.stringify(repository)} is not a valid repository name`);
    const digest = requiredString(o, 'digest');
    if (!parseDigest(digest)) throw new ArgsError(`digest ${JSON.stringify(digest)} is not a valid digest`);
    return { connection, repository, digest };
  },
};
