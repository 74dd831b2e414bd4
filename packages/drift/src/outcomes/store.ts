/**
 * The join store: predictions kept under an id until their outcome comes,
 * bounded by entries and by age.
 *
 * Slots form a ring in insertion order, so the oldest prediction is always
 * at the head: a full store drops the head (evicted), and a sweep drops
 * heads older than the age limit (expired). A joined prediction leaves a
 * hole that the ring reuses when it comes round. What a slot holds is in
 * parallel arrays allocated once (no object per prediction); the id map is
 * the only structure that grows, and it is capped by the ring.
 *
 * Ids dropped or joined leave a tombstone (a 30-bit hash, in a bounded
 * insertion-ordered map) so that an outcome arriving for them is counted as
 * late or duplicate rather than unknown. A hash collision can only move one
 * count between those events; the join itself is always by the full id.
 *
 * @internal
 */

/** What {@link OutcomeStore.take} found. */
export const TAKEN = 0;
export const UNKNOWN = 1;
export const LATE = 2;
export const DUPLICATE = 3;

/** Tombstone kinds. */
const GONE = 1;
const JOINED = 2;

/** Receives the store's drops, with what the dropped slot held. */
export interface StoreEvents {
  dropped(owner: number, expired: boolean): void;
}

export class OutcomeStore {
  readonly capacity: number;
  /** The slot of each id held. */
  private readonly _slots = new Map<string, number>();
  private readonly _ids: (string | undefined)[];
  /** Which bound series kept the slot (an index into the tracker's list). */
  readonly owners: Uint16Array;
  /** Predicted class name (classification). */
  readonly labels: (string | undefined)[];
  /** Predicted value (regression). */
  readonly values: Float64Array;
  /** Top confidence, NaN when none. */
  readonly confidences: Float32Array;
  /** When the prediction was kept, in the store's clock (ms). */
  readonly times: Float64Array;
  /** The owner of the tombstone the last late or duplicate {@link take} found. */
  lastOwner = 0;
  private _head = 0;
  /** Slots between head and tail, holes included. */
  private _used = 0;
  private readonly _tombstones = new Map<number, number>();

  constructor(
    capacity: number,
    private readonly _maxAgeMs: number,
    private readonly _maxTombstones: number,
    private readonly _events: StoreEvents,
  ) {
    this.capacity = capacity;
    this._ids = new Array<string | undefined>(capacity).fill(undefined);
    this.owners = new Uint16Array(capacity);
    this.labels = new Array<string | undefined>(capacity).fill(undefined);
    this.values = new Float64Array(capacity);
    this.confidences = new Float32Array(capacity);
    this.times = new Float64Array(capacity);
  }

  /** Predictions held now. */
  get size(): number {
    return this._slots.size;
  }

  /**
   * Makes room for one prediction under `id` and returns its slot; the caller
   * fills the parallel arrays. Returns -1 when `id` was already held (the
   * older prediction is replaced: the slot is reused).
   */
  put(id: string, now: number): number {
    const held = this._slots.get(id);
    if (held !== undefined) {
      this.times[held] = now;
      return -1 - held;
    }
    this.sweep(now);
    if (this._used === this.capacity) this._dropHead(false);
    const slot = (this._head + this._used) % this.capacity;
    this._used++;
    this._ids[slot] = id;
    this._slots.set(id, slot);
    this.times[slot] = now;
    return slot;
  }

  /**
   * Finds and removes the prediction kept under `id`. Returns its slot
   * (>= 0; the arrays keep its values until the slot is reused) or one of
   * -UNKNOWN, -LATE, -DUPLICATE.
   */
  take(id: string, now: number): number {
    const slot = this._slots.get(id);
    if (slot === undefined) {
      const mark = this._tombstones.get(hash(id));
      if (mark === undefined) return -UNKNOWN;
      this.lastOwner = mark >>> 2;
      return (mark & 3) === JOINED ? -DUPLICATE : -LATE;
    }
    if (now - this.times[slot]! > this._maxAgeMs) {
      // Past its age but not swept yet: dropped now, and the outcome is late.
      this._release(slot, GONE);
      this._events.dropped(this.owners[slot]!, true);
      this.sweep(now);
      return -LATE;
    }
    this._release(slot, JOINED);
    return slot;
  }

  /** Drops predictions older than the age limit (and holes) from the head. */
  sweep(now: number): void {
    const limit = this._maxAgeMs;
    while (this._used > 0) {
      const head = this._head;
      if (this._ids[head] !== undefined) {
        if (now - this.times[head]! <= limit) return;
        this._dropHead(true);
      } else {
        this._head = (head + 1) % this.capacity;
        this._used--;
      }
    }
  }

  private _dropHead(expired: boolean): void {
    const head = this._head;
    if (this._ids[head] !== undefined) {
      this._release(head, GONE);
      this._events.dropped(this.owners[head]!, expired);
    }
    this._head = (head + 1) % this.capacity;
    this._used--;
  }

  private _release(slot: number, kind: number): void {
    const id = this._ids[slot]!;
    this._slots.delete(id);
    this._ids[slot] = undefined;
    const tombstones = this._tombstones;
    const key = hash(id);
    tombstones.delete(key);
    tombstones.set(key, this.owners[slot]! * 4 + kind);
    if (tombstones.size > this._maxTombstones) tombstones.delete(tombstones.keys().next().value!);
  }
}

/**
 * FNV-1a over the UTF-16 code units, cut to 30 bits: a tombstone key that
 * stays a small integer (V8 keeps 31-bit integers unboxed; a full 32-bit
 * hash would allocate a heap number per tombstone).
 */
function hash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h & 0x3fffffff;
}
