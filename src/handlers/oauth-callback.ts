/** GET /oauth/callback: the provider sends the person back here with a code (or a refusal). */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type CallbackDeps, completeAuthorization } from '../usecases/complete-authorization';
import { notTextedPage, successPage } from '../web/pages';
import {
  cookieOf,
  errorResult,
  type HttpResult,
  htmlResult,
  pageForError,
  SIGNUP_COOKIE,
  signupCookie,
} from './http-responses';

/** Query values longer than this are not from a real provider. */
const MAX_PARAM = 2048;

export function makeOAuthCallbackHandler(deps: CallbackDeps, options: { publicBaseUrl: string }) {
  return async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const query = event.queryStringParameters ?? {};
    const param = (name: string) => {
      const value = query[name];
      return typeof value === 'string' && value.length <= MAX_PARAM ? value : undefined;
    };
    // The binding cookie is single use, like the state it binds.
    const clear = [signupCookie('', options.publicBaseUrl, 0)];
    try {
      const result = await completeAuthorization(deps, {
        state: param('state'),
        code: param('code'),
        error: param('error'),
        browserNonce: cookieOf(event, SIGNUP_COOKIE),
      });
      switch (result.kind) {
        case 'pending':
        case 'restored':
          return htmlResult(200, successPage(result.kind, result.phone, result.faster), { cookies: clear });
        case 'not_texted':
          return htmlResult(
            result.reason === 'opted_out' ? 409 : 429,
            notTextedPage(result.reason, result.phone),
            {
              cookies: clear,
            },
          );
        case 'denied':
        case 'account_not_linked':
        case 'legacy_login':
          return { ...errorResult(200, result.kind), cookies: clear };
        default:
          return { ...errorResult(400, result.kind), cookies: clear };
      }
    } catch (error) {
      return { ...pageForError(error, deps.logger), cookies: clear };
    }
  };
}
