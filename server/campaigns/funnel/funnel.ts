/**
 * The campaign funnel, pure: leads (with the outcomes attributed to their contacts) in, counts out.
 * Stages: imported → assigned → requested → accepted → replied → converted, each counted once per lead
 * (a lead is one phone per campaign, so a customer who adds two staff members is one accepted lead).
 * `scanned` are accepted leads that came in through a campaign code without being imported; they count as
 * accepted (a friend is a friend) but not in the add rate, which is imported leads accepted ÷ requested.
 * Cost per friend = (fixed + per lead × imported + per request × requested) ÷ accepted.
 */
export type FunnelLead = {
  origin: 'import' | 'scan';
  storeId: string | null;
  staffId: string | null;
  greeting: string | null;
  source: string;
  assigned: boolean;
  requested: boolean;
  accepted: boolean;
  replied: boolean;
  converted: boolean;
  deletedWithin7d: boolean;
};

export type Costs = { fixed: number; perLead: number; perRequest: number };

export type FunnelCounts = {
  imported: number;
  assigned: number;
  requested: number;
  accepted: number;
  replied: number;
  converted: number;
  scanned: number;
  deletedWithin7d: number;
  /** Imported leads accepted ÷ requested (null before any request). */
  addRate: number | null;
  /** Imported leads accepted ÷ imported. */
  acceptedOfImported: number | null;
  cost: number;
  costPerFriend: number | null;
};

export type Dimension = 'store' | 'staff' | 'greeting' | 'source';
export type Breakdown = Array<{ key: string | null } & FunnelCounts>;

export function countFunnel(leads: readonly FunnelLead[], costs: Costs, fixedShare = 1): FunnelCounts {
  const c = { imported: 0, assigned: 0, requested: 0, accepted: 0, replied: 0, converted: 0, scanned: 0, deletedWithin7d: 0 };
  let importedAccepted = 0;
  for (const l of leads) {
    if (l.origin === 'import') c.imported++;
    else c.scanned++;
    if (l.assigned) c.assigned++;
    if (l.requested) c.requested++;
    if (l.accepted) {
      c.accepted++;
      if (l.origin === 'import') importedAccepted++;
    }
    if (l.replied) c.replied++;
    if (l.converted) c.converted++;
    if (l.deletedWithin7d) c.deletedWithin7d++;
  }
  const cost = round2(costs.fixed * fixedShare + costs.perLead * c.imported + costs.perRequest * c.requested);
  return {
    ...c,
    addRate: c.requested ? importedAccepted / c.requested : null,
    acceptedOfImported: c.imported ? importedAccepted / c.imported : null,
    cost,
    costPerFriend: c.accepted ? round2(cost / c.accepted) : null,
  };
}

/** One row per value of the dimension; the fixed cost is shared in proportion to imported leads. */
export function breakdown(leads: readonly FunnelLead[], dimension: Dimension, costs: Costs): Breakdown {
  const groups = new Map<string | null, FunnelLead[]>();
  for (const l of leads) {
    const key = dimension === 'store' ? l.storeId : dimension === 'staff' ? l.staffId : dimension === 'greeting' ? l.greeting : l.source || null;
    const list = groups.get(key);
    if (list) list.push(l);
    else groups.set(key, [l]);
  }
  const imported = leads.filter((l) => l.origin === 'import').length;
  return [...groups.entries()]
    .map(([key, list]) => ({ key, ...countFunnel(list, costs, imported ? list.filter((l) => l.origin === 'import').length / imported : 0) }))
    .sort((a, b) => b.accepted - a.accepted || (b.addRate ?? -1) - (a.addRate ?? -1) || String(a.key).localeCompare(String(b.key)));
}

const round2 = (n: number) => Math.round(n * 100) / 100;
