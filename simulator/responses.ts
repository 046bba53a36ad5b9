/** JSON responses in Luma's style: errors are always `{"detail": "..."}`. */

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

export function errorResponse(status: number, detail: string, headers: Record<string, string> = {}): Response {
  return json(status, { detail }, headers);
}
