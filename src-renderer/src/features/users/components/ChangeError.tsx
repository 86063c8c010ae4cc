/** Why a change of users or groups was refused. */
import { ErrorAlert } from '../../../app/common';
import { describeError, errorCode } from '../../../api/errors';

/**
 * The refusal as an alert titled `title` ("The user was not removed"), except that keeping the
 * last administrator gets a title of its own: it is a rule of Berth, not a failure to retry.
 */
export function ChangeError({ error, title }: { error: unknown; title: string }) {
  return <ErrorAlert error={error} title={errorCode(error) === 'LAST_ADMIN' ? describeError(error).title : title} />;
}
