/**
 * GET /, /privacy, /terms and /style.css: the static-ish pages, rendered on request. Also the catch-all
 * route, so any other path or method gets the product's own "page not found".
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { privacyPage, signupPage, termsPage } from '../web/pages';
import { STYLESHEET } from '../web/style';
import { errorResult, type HttpResult, htmlResult } from './http-responses';

export interface PagesOptions {
  /** Origin of the provider's consent page, which the sign-up form's CSP allows. */
  authorizationOrigin: string;
  /** The provider sends sync notifications, so the sign-up page offers faster alerts. */
  fasterOffered: boolean;
}

export function makePagesHandler(options: PagesOptions) {
  return async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
    const method = event.requestContext?.http?.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') return errorResult(404, 'not_found');
    switch (event.rawPath) {
      case '/':
        return htmlResult(200, signupPage({ fasterOffered: options.fasterOffered }), {
          formTarget: options.authorizationOrigin,
        });
      case '/privacy':
        return htmlResult(200, privacyPage());
      case '/terms':
        return htmlResult(200, termsPage());
      case '/style.css':
        return {
          statusCode: 200,
          headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' },
          body: STYLESHEET,
        };
      default:
        return errorResult(404, 'not_found');
    }
  };
}
