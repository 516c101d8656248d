/**
 * An account's `controller`: who pays its Stripe fees, who is liable for its losses, who collects
 * its requirements and which Stripe dashboard it has. The platform creating an account controls it
 * (`type: application`, `is_controller`), whether it created it with a `type` (each type stands for
 * a set of controller properties, its fee payer named after it for Express and Custom) or with
 * `controller` parameters (their defaults: the account pays, Stripe is liable and collects, full
 * dashboard), in which case the account's `type` is `none`. The platform's own account controls
 * itself (`type: account`).
 *
 * What the emulator does by the controller: the platform sees the external accounts of an account
 * without the full dashboard (rules/connect.ts), an Express dashboard has login links
 * (rules/families.ts), and an account whose requirements the platform collects has update links
 * (hosted/connect.ts).
 */
import { isObject, type Json, type JsonObject } from '../engine/json.ts';
import type { Entry } from '../engine/store.ts';

interface ControllerProps {
  payer: string;
  payments: string;
  requirement_collection: string;
  dashboard: string;
}

/** The controller properties each account type stands for. */
const TYPE_CONTROLLERS: Readonly<Record<string, ControllerProps>> = {
  standard: { payer: 'account', payments: 'stripe', requirement_collection: 'stripe', dashboard: 'full' },
  express: {
    payer: 'application_express',
    payments: 'application',
    requirement_collection: 'stripe',
    dashboard: 'express',
  },
  custom: {
    payer: 'application_custom',
    payments: 'application',
    requirement_collection: 'application',
    dashboard: 'none',
  },
};

/** What `controller` parameters leave out. */
const PARAM_DEFAULTS = TYPE_CONTROLLERS.standard!;

const rendered = (props: ControllerProps): JsonObject => ({
  fees: { payer: props.payer },
  is_controller: true,
  losses: { payments: props.payments },
  requirement_collection: props.requirement_collection,
  stripe_dashboard: { type: props.dashboard },
  type: 'application',
});

const pick = (hash: Json | undefined, key: string, fallback: string): string => {
  const value = isObject(hash) ? hash[key] : undefined;
  return typeof value === 'string' && value !== '' ? value : fallback;
};

/**
 * A new account's `type` and `controller` from its creation parameters: `controller` given makes
 * a typeless account (`none`), else the controller is the one its type (default `fallbackType`)
 * stands for.
 */
export function typeAndController(
  params: JsonObject,
  fallbackType: string,
): { type: string; controller: JsonObject } {
  const given = params.controller;
  const type = typeof params.type === 'string' ? params.type : isObject(given) ? 'none' : fallbackType;
  if (!isObject(given)) return { type, controller: rendered(TYPE_CONTROLLERS[type] ?? PARAM_DEFAULTS) };
  return {
    type,
    controller: rendered({
      payer: pick(given.fees, 'payer', PARAM_DEFAULTS.payer),
      payments: pick(given.losses, 'payments', PARAM_DEFAULTS.payments),
      requirement_collection: pick(given, 'requirement_collection', PARAM_DEFAULTS.requirement_collection),
      dashboard: pick(given.stripe_dashboard, 'type', PARAM_DEFAULTS.dashboard),
    }),
  };
}

/** The platform's own account's controller: itself. */
export const SELF_CONTROLLED: JsonObject = { type: 'account' };

/** An account's controller properties, stored, else the ones its type stands for. */
function propsOf(account: Entry): ControllerProps {
  const controller = account.data.controller;
  const byType = TYPE_CONTROLLERS[String(account.data.type)] ?? PARAM_DEFAULTS;
  if (!isObject(controller) || controller.type !== 'application') return byType;
  return {
    payer: pick(controller.fees, 'payer', byType.payer),
    payments: pick(controller.losses, 'payments', byType.payments),
    requirement_collection: pick(controller, 'requirement_collection', byType.requirement_collection),
    dashboard: pick(controller.stripe_dashboard, 'type', byType.dashboard),
  };
}

/** The Stripe dashboard an account has: `full`, `express` or `none`. */
export const dashboardOf = (account: Entry): string => propsOf(account).dashboard;

/** Whether the platform collects an account's requirements (Custom accounts, and the like). */
export const platformCollects = (account: Entry): boolean =>
  propsOf(account).requirement_collection === 'application';
