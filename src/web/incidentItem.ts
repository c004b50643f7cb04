import type { ClosedHow, LifeEventKind } from '../coverage/holeLife.js';

/**
 * One incident of the hole history as `/api/v1/incidents` lists it and `event: incident`
 * carries it (incidentsApi.ts writes it). Types only, shared with the page's browser script
 * (src/web/page/): nothing here may import a module that imports Node. Times are ISO-8601
 * UTC with µs, lengths in seconds.
 */
export interface IncidentPart {
  readonly start: string;
  readonly end: string;
  readonly duration: number;
  /** The peers that hold the part, as `/api/v1/holes?peers=1`; `covered` in seconds. */
  readonly peers: readonly { readonly node: string; readonly cover: 'full' | 'partial'; readonly covered: number }[];
}

export interface IncidentItem {
  /** Unique per channel and quality (not across them). */
  readonly id: string;
  readonly channel: string;
  readonly quality: string;
  readonly state: 'open' | 'closed';
  readonly last_event: LifeEventKind;
  /** When its last event happened: of two copies of one incident, the later one is its state. */
  readonly updated_at: string;
  readonly start: string;
  readonly end: string;
  readonly duration: number;
  readonly opened_at: string;
  /** First seen by the first pass after a start: it may be older. */
  readonly opened_at_start: boolean;
  readonly closed_at: string | null;
  readonly closed_how: ClosedHow | null;
  readonly closed_while_down: { readonly from: string | null; readonly to: string } | null;
  readonly fill_delay_seconds: number | null;
  readonly open_seconds: number;
  readonly open_parts: readonly IncidentPart[];
}

/** The data of an `event: incident`. */
export interface IncidentEvent {
  readonly event: LifeEventKind;
  readonly incident: IncidentItem;
}
