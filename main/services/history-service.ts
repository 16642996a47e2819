import type { AuditFilter, AuditSummary, ChannelRequest, ChannelResponse, HistoryEntryView, HistoryPage, RestorePlanResponse } from '../../preload/contract';
import { HISTORY_EXPORT_MAX } from '../../preload/contract';
import { AppFailure } from '../errors';
import { historyEntryView } from '../history/entry-view';
import { historyPlanScript, historyToJsonLines, historyToReport, type ExportItem } from '../history/export';
import { recordedBond } from '../history/recorded-bond';
import type { AuditLog } from '../store/audit-log';
import type { BondService } from './bond-service';

type EntrySummary = Extract<AuditSummary, { kind: 'entry' }>;
type Damaged = Extract<AuditSummary, { kind: 'damaged' }>;

/** Every summary in the log, for the filters' choices and to find one entry's summary. */
const ALL = { limit: Number.MAX_SAFE_INTEGER };

/**
 * The history over the audit log: pages for the list, one entry opened with its diff, exports, and
 * restore (which becomes an ordinary plan of the bond service on today's host).
 */
export class HistoryService {
  constructor(
    private readonly audit: AuditLog,
    private readonly bonds: BondService,
  ) {}

  async list(filter: AuditFilter): Promise<HistoryPage> {
    const page = await this.audit.list(filter);
    const all = await this.audit.list(ALL);
    const hosts = new Map<string, string>();
    const bonds = new Set<string>();
    for (const s of all.items) {
      if (s.kind !== 'entry') continue;
      if (!hosts.has(s.hostId)) hosts.set(s.hostId, s.hostLabel);
      bonds.add(s.bondName);
    }
    return {
      items: page.items,
      total: page.total,
      damaged: page.damaged,
      hosts: [...hosts].slice(0, 1000).map(([hostId, hostLabel]) => ({ hostId, hostLabel })).sort((a, b) => a.hostLabel.localeCompare(b.hostLabel)),
      bonds: [...bonds].slice(0, 1000).sort((a, b) => a.localeCompare(b, undefined, { numeric: true })),
    };
  }

  async entry(id: string): Promise<HistoryEntryView> {
    return (await this.item(id)).view;
  }

  async planRestore(req: ChannelRequest<'bonds.planRestore'>): Promise<RestorePlanResponse> {
    const { entry, view } = await this.item(req.entryId);
    const recorded = recordedBond(req.side === 'before' ? entry.stateBefore : entry.stateAfter, entry.bondName);
    return this.bonds.planRestore({ hostId: view.summary.hostId, bondName: entry.bondName, entryId: req.entryId, side: req.side, recorded, checkinTimeoutSeconds: req.checkinTimeoutSeconds });
  }

  async export(req: ChannelRequest<'history.export'>): Promise<ChannelResponse<'history.export'>> {
    const ext = req.format === 'jsonl' ? 'jsonl' : 'txt';
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    if (req.entryId !== null) {
      const item = await this.item(req.entryId);
      const s = item.view.summary;
      const text = req.format === 'jsonl' ? historyToJsonLines([item]) : historyToReport([item], { title: `${s.hostLabel}, ${s.action} ${s.bondName}`, matched: 1, damaged: [], generatedAt: new Date().toISOString() });
      return { text, fileName: `bondsmith-history-${s.bondName}-${req.entryId}.${ext}`, count: 1, matched: 1 };
    }
    const page = await this.audit.list({ ...req.filter, limit: Number.MAX_SAFE_INTEGER });
    const items: ExportItem[] = [];
    const damaged: Damaged[] = [];
    let matched = 0;
    for (const s of page.items) {
      if (s.kind === 'damaged') {
        damaged.push(s);
        continue;
      }
      matched++;
      if (items.length >= HISTORY_EXPORT_MAX) continue;
      const entry = await this.audit.get(s.id);
      if (entry) items.push({ entry, view: historyEntryView(s, entry) });
    }
    const text = req.format === 'jsonl' ? historyToJsonLines(items, damaged) : historyToReport(items, { title: filterTitle(req.filter, items), matched, damaged, generatedAt: new Date().toISOString() });
    return { text, fileName: `bondsmith-history-${stamp}.${ext}`, count: items.length, matched };
  }

  async planScript(id: string): Promise<{ script: string; fileName: string }> {
    const { entry } = await this.item(id);
    const script = historyPlanScript(entry);
    if (script === null) throw new AppFailure('NO_PLAN', 'This entry carries no plan Bondsmith can read, so there is no script to save.');
    return { script, fileName: `bondsmith-${entry.action}-${entry.bondName}-${id}.sh` };
  }

  private async item(id: string): Promise<ExportItem> {
    const summary = (await this.audit.list(ALL)).items.find((s): s is EntrySummary => s.kind === 'entry' && s.id === id);
    const entry = summary ? await this.audit.get(id) : null;
    if (!summary || !entry) throw new AppFailure('NOT_FOUND', 'That history entry is not in the audit log (was the log moved or edited?).');
    return { entry, view: historyEntryView(summary, entry) };
  }
}

function filterTitle(filter: ChannelRequest<'history.export'>['filter'], items: readonly ExportItem[]): string {
  const parts: string[] = [];
  if (filter.hostId) parts.push(`host ${items[0]?.view.summary.hostLabel ?? filter.hostId}`);
  if (filter.bondName) parts.push(`bond ${filter.bondName}`);
  if (filter.result) parts.push(`result ${filter.result}`);
  if (filter.runId) parts.push(`fleet run ${filter.runId}`);
  if (filter.from) parts.push(`from ${filter.from}`);
  if (filter.to) parts.push(`to ${filter.to}`);
  return parts.length > 0 ? parts.join(', ') : 'all hosts';
}
