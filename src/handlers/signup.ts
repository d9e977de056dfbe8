/** POST /signup: validate the form, then redirect to the provider's consent screen. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { SIGNUP_STATE_TTL_MS, type SignupDeps, startSignup } from '../usecases/start-signup';
import { signupPage } from '../web/pages';
import {
  errorResult,
  fromAnotherSite,
  type HttpResult,
  htmlResult,
  pageForError,
  readForm,
  signupCookie,
} from './http-responses';

export function makeSignupHandler(deps: SignupDeps, options: { publicBaseUrl: string }) {
  const ownOrigin = new URL(options.publicBaseUrl).origin;
  return async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    // Login CSRF: another site's form would start a sign-up in this browser with someone else's number.
    if (fromAnotherSite(event, ownOrigin)) {
      deps.logger.warn('cross-site sign-up refused');
      return errorResult(403, 'cross_site');
    }
    const form = readForm(event);
    if (!form.ok) return errorResult(form.status, 'bad_request');
    const formTarget = deps.provider.authorizationOrigin;
    const fasterOffered = deps.provider.grantsSyncNotifications !== undefined;
    try {
      const result = await startSignup(deps, {
        phone: form.fields.get('phone'),
        consent: form.fields.get('consent'),
        faster: form.fields.get('faster'),
      });
      if (result.kind === 'country') return errorResult(400, 'country');
      if (result.kind === 'invalid') {
        const view = {
          phone: result.phone,
          errors: result.errors,
          faster: result.faster === true,
          fasterOffered,
        };
        return htmlResult(400, signupPage(view), { formTarget });
      }
      return htmlResult(302, '', {
        formTarget,
        headers: { location: result.location },
        cookies: [signupCookie(result.browserNonce, options.publicBaseUrl, SIGNUP_STATE_TTL_MS / 1000)],
      });
    } catch (error) {
      return pageForError(error, deps.logger);
    }
  };
}
