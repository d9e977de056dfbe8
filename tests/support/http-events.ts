/** An API Gateway HTTP API (payload 2.0) event for handler tests: a POST /signup unless overridden. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

export function httpEvent(overrides: Partial<APIGatewayProxyEventV2> = {}): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /signup',
    rawPath: '/signup',
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: {} as APIGatewayProxyEventV2['requestContext'],
    ...overrides,
  };
}
