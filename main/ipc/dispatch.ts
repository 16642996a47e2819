import { channels, isChannelName, type ChannelName, type ChannelRequest, type ChannelResponse, type Envelope } from '../../preload/contract';
import { AppFailure, toAppError } from '../errors';
import type { Services } from '../services/services';

type Handlers = { [K in ChannelName]: (request: ChannelRequest<K>) => Promise<ChannelResponse<K>> };

function handlersFor(services: Services): Handlers {
  return {
    'app.info': () =>
      Promise.resolve({
        mode: services.options.mode,
        version: services.options.version,
        secretsPersisted: services.options.cipher !== null,
        dataDir: services.options.dataDir,
      }),
    'hosts.list': () => services.hosts.list(),
    'hosts.add': (req) => services.hosts.add(hostsAddRequest(req)),
    'hosts.update': (req) => services.hosts.update(req.id, hostsAddRequest(req.host)),
    'hosts.remove': (req) => services.hosts.remove(req.id),
    'hosts.importSshConfig': (req) => services.importSshConfig(req.path),
    'sessions.connect': (req) => services.sessions.connect(req.hostId),
    'sessions.disconnect': (req) => services.sessions.disconnect(req.hostId),
    'sessions.trust': (req) => services.sessions.trust(req.hostId, req.fingerprint),
    'sessions.states': () => Promise.resolve({ states: services.sessions.states() }),
    'discovery.refresh': (req) => services.sessions.refresh(req.hostId),
    'discovery.latest': () => Promise.resolve({ results: services.sessions.latestResults() }),
    'bonds.eligible': (req) => services.bonds.eligible(req.hostId, req.bondName),
    'bonds.plan': (req) => services.bonds.plan(channels['bonds.plan'].request.parse(req)),
    'bonds.planScript': (req) => Promise.resolve(services.bonds.planScript(req.planId)),
    'bonds.apply': (req) => services.bonds.apply(req.planId, req.autoKeep),
    'bonds.keep': (req) => services.bonds.keep(req.applyId),
    'bonds.revert': (req) => services.bonds.revert(req.applyId),
    'bonds.planUndo': (req) => services.bonds.planUndo(req.applyId, req.checkinTimeoutSeconds),
    'bonds.applies': () => Promise.resolve(services.bonds.applies()),
    'bonds.resolvePending': (req) => services.pending.resolve(req.hostId, req.decision, req.runId),
    'audit.list': (req) => services.audit.read(req.hostId),
    'history.list': (req) => services.history.list(req),
    'history.entry': (req) => services.history.entry(req.id),
    'history.export': (req) => services.history.export(req),
    'history.planScript': (req) => services.history.planScript(req.id),
    'bonds.planRestore': (req) => services.history.planRestore(req),
    'fleet.preview': (req) => services.rollouts.preview(req),
    'fleet.start': (req) => services.rollouts.start(req),
    'fleet.pause': (req) => services.rollouts.pause(req.runId),
    'fleet.resume': (req) => services.rollouts.resume(req.runId),
    'fleet.abort': (req) => services.rollouts.abort(req.runId),
    'fleet.runs': () => services.rollouts.list(),
  };
}

// The handlers receive parsed values; this only narrows zod's input type to its output type.
const hostsAddRequest = (req: ChannelRequest<'hosts.add'>) => channels['hosts.add'].request.parse(req);

export type Dispatch = (channel: unknown, payload: unknown) => Promise<Envelope<unknown>>;

/**
 * The one entry point from either bridge: the channel must be in the contract and the payload must
 * parse against its request schema before any service sees it. Errors come back as envelopes.
 */
export function createDispatch(services: Services): Dispatch {
  const handlers = handlersFor(services);
  return async (channel, payload) => {
    if (!isChannelName(channel)) {
      return { ok: false, error: { code: 'UNKNOWN_CHANNEL', message: 'Unknown request.' } };
    }
    const parsed = channels[channel].request.safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
      const message = issue ? issue.message : 'Invalid request';
      return { ok: false, error: field === undefined ? { code: 'INVALID', message } : { code: 'INVALID', message, field } };
    }
    try {
      const handler = handlers[channel] as (req: unknown) => Promise<unknown>;
      const value: unknown = await handler(parsed.data);
      return { ok: true, value };
    } catch (err) {
      return { ok: false, error: toAppError(err) };
    }
  };
}

export { AppFailure };
