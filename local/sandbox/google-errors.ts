/** Google's API error format, shared by the Health API routes and the fault injector. */

/**
 * Google's error body for the Health API: `{"error": {code, message, status, details: [ErrorInfo]}}`.
 * Every sandbox error carries an ErrorInfo; where Google documents no reason for a case the sandbox
 * uses the canonical status name as a stand-in, so clients cannot come to rely on its absence.
 */
export function googleApiErrorBody(code: number, status: string, message: string, reason = status) {
  const details = [
    {
      '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
      reason,
      domain: 'googleapis.com',
      metadata: { service: 'health.googleapis.com' },
    },
  ];
  return { error: { code, message, status, details } };
}
