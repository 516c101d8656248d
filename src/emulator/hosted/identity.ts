/**
 * Identity's hosted page: a verification session's `url` (`<emulator>/verify/<session>`) shows a
 * form with Stripe's test choices (a document check's outcome, or an id number such as
 * `000000000`); submitting it runs the session's checks (rules/identity.ts) and redirects to its
 * `return_url`, or shows the result.
 */
import type { Ctx } from '../engine/context.ts';
import type { EmulatorHandle } from '../engine/handle.ts';
import type { Entry } from '../engine/store.ts';
import { escapeHtml, type HostedPage, hostedUrl, html } from './html.ts';
import { DOCUMENT_OUTCOMES, returnUrlOf, SESSION, submitVerification } from './verification.ts';

/** The path prefix of the verification pages. */
export const IDENTITY_PREFIX = '/verify/';

const TITLE = 'Identity verification (Stripe emulator)';

/** The page a session's `url` names when the emulator serves pages (its HTTP server runs). */
export const identityPageUrl = (ctx: Ctx, id: string): string | undefined =>
  hostedUrl(ctx, `${IDENTITY_PREFIX}${id}`, undefined);

function form(id: string, type: unknown, error?: string): HostedPage {
  const choice =
    type === 'id_number'
      ? '<label>ID number (test values: 000000000 verifies, 111111111 does not match) <input name="id_number" value="000000000"></label>'
      : `<fieldset><legend>Test outcome</legend>${DOCUMENT_OUTCOMES.map(
          (outcome, i) =>
            `<label><input type="radio" name="outcome" value="${outcome}"${i === 0 ? ' checked' : ''}> ${outcome}</label>`,
        ).join('')}</fieldset>`;
  return html(
    TITLE,
    `<h1>Verify your identity</h1>
<p>Verification session <code>${escapeHtml(id)}</code>, served by the Stripe emulator.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${IDENTITY_PREFIX}${escapeHtml(id)}">${choice}<button type="submit">Submit</button></form>`,
  );
}

/** The page for `method /verify/<id>` (`id` the path after the prefix), or undefined when it names none. */
export function identityPage(
  service: EmulatorHandle,
  method: string,
  id: string,
  body: URLSearchParams,
): HostedPage | undefined {
  if (!id.startsWith('vs_')) return undefined;
  const entry = service.store.platform.find(id);
  if (entry?.resource !== SESSION) return html('Not found', '<h1>No such verification session</h1>', 404);
  if (method === 'GET') {
    if (entry.data.status !== 'requires_input')
      return html(TITLE, `<h1>This verification session is ${escapeHtml(String(entry.data.status))}</h1>`);
    return form(id, entry.data.type);
  }
  if (method !== 'POST') return undefined;
  let session: Entry;
  try {
    session = service.transaction((ctx) =>
      submitVerification(ctx, ctx.require(id, [SESSION]), {
        outcome: body.get('outcome') ?? undefined,
        idNumber: body.get('id_number') ?? undefined,
      }),
    );
  } catch (error) {
    return form(id, entry.data.type, (error as Error).message);
  }
  const back = returnUrlOf(service.store, id);
  if (back) return { status: 303, headers: { location: back, 'content-type': 'text/plain' }, body: '' };
  return html(TITLE, `<h1>Verification ${escapeHtml(String(session.data.status))}</h1>`);
}
