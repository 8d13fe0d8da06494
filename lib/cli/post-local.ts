/**
 * POSTs a signed body to the local server as a servicedesk or Jira would, prints the answer, and
 * returns the exit code: 0 for a 2xx, 1 otherwise or when nothing answers.
 */
export async function postToLocalServer(
  url: string,
  path: string,
  body: Uint8Array,
  headers: Record<string, string>,
): Promise<number> {
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/$/, '')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
  } catch {
    console.error(`ticket-proxy: nothing answers at ${url}; is \`npm start\` running?`);
    return 1;
  }
  console.log(`${response.status} ${response.statusText}`);
  console.log(await response.text());
  return response.ok ? 0 : 1;
}
