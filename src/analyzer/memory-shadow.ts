/**
 * The happens-before checker's memory: each location's FastTrack state (Shadow), shared by the locations
 * of a run until one of them changes, found through per-buffer, per-width pages of state ids.
 */

export class Shadow {
  writeThread = -1;
  writeClock = 0;
  writeSite = 0;
  writeLockset = 0;
  writeOwner = 0;
  readThread = -1;
  readClock = 0;
  readSite = 0;
  readLockset = 0;
  readOwner = 0;
  /**
   * Read-shared: per reading thread, five numbers in a row — thread index, clock, site, lockset, threadId.
   * A flat array: a Map of tuples per location cost several hundred bytes, and read-shared locations
   * are most of the shadow of a program whose threads read common input.
   */
  readers: number[] | null = null;
  /** How many locations are in this state (a run's locations share one until one of them changes). */
  refs = 0;

  copy(): Shadow {
    const copy = new Shadow();
    copy.writeThread = this.writeThread;
    copy.writeClock = this.writeClock;
    copy.writeSite = this.writeSite;
    copy.writeLockset = this.writeLockset;
    copy.writeOwner = this.writeOwner;
    copy.readThread = this.readThread;
    copy.readClock = this.readClock;
    copy.readSite = this.readSite;
    copy.readLockset = this.readLockset;
    copy.readOwner = this.readOwner;
    copy.readers = this.readers === null ? null : [...this.readers];
    return copy;
  }
}

/** Numbers per reader in a read-shared state's `readers`. */
export const READER_SLOTS = 5;

/**
 * Locations per page of state ids. Pages are made only where a program touches memory, so a large buffer
 * accessed sparsely costs a few pages, and a run over a row scans and fills one typed array.
 */
export const PAGE_BITS = 12;
export const PAGE_SIZE = 1 << PAGE_BITS;
export const PAGE_MASK = PAGE_SIZE - 1;

/** One buffer's locations of one access width: per element, the id of its state (0: never accessed). */
export type StatePages = (Int32Array | undefined)[];

/** One buffer's shadow: its locations per access width, and which widths it has been accessed with. */
class BufferShadow {
  readonly byWidth: StatePages[] = [];
  readonly widths: number[] = [];
}

/**
 * The memory's shadow: per buffer and access width, state ids indexed by element (byte offset ÷ width), in
 * pages. Locations in one state share it (a run's elements, checked once), so the per-location cost is an
 * id: filling and comparing ids is what a run costs, where references to one object per element cost a
 * scan of a large object array and a collector's walk over it. Indexed by byte offset the shadow was mostly
 * holes for 8-byte elements; so each width has its own, and an access is also checked against the states
 * of the buffer's other widths it overlaps when there are any.
 */
export class MemoryShadow {
  readonly #buffers = new Map<number, BufferShadow>();
  /**
   * States by id (0 unused). Locations leave a state only for a copy of their own while others stay in
   * it (a run over all of a state's locations changes it in place), so every state here is in use.
   */
  readonly states: (Shadow | undefined)[] = [undefined];
  #lastBuffer = Number.NaN;
  #lastWidth = 0;
  #lastPages: StatePages = [];
  /** The widths the buffer last asked for (pagesOf) has been accessed with. */
  lastWidths: number[] = [];
  /** Locations ever accessed. */
  locations = 0;

  /** A buffer's pages for one width, made on first use (the last buffer and width asked for are cached). */
  pagesOf(buffer: number, width: number): StatePages {
    if (buffer !== this.#lastBuffer || width !== this.#lastWidth) {
      let shadow = this.#buffers.get(buffer);
      if (!shadow) {
        shadow = new BufferShadow();
        this.#buffers.set(buffer, shadow);
      }
      let pages = shadow.byWidth[width];
      if (!pages) {
        pages = shadow.byWidth[width] = [];
        shadow.widths.push(width);
      }
      this.#lastPages = pages;
      this.lastWidths = shadow.widths;
      this.#lastBuffer = buffer;
      this.#lastWidth = width;
    }
    return this.#lastPages;
  }

  /** A buffer's pages by width (after pagesOf made its entry). */
  byWidth(buffer: number): StatePages[] {
    return this.#buffers.get(buffer)!.byWidth;
  }

  /** Registers `state` for `refs` locations; its id. */
  stateId(state: Shadow, refs: number): number {
    state.refs = refs;
    this.states.push(state);
    return this.states.length - 1;
  }

  /** The state of one element, ready to change: made if new, copied if other locations share it. */
  ownState(pages: StatePages, element: number): Shadow {
    const page = (pages[element >>> PAGE_BITS] ??= new Int32Array(PAGE_SIZE));
    const slot = element & PAGE_MASK;
    const id = page[slot]!;
    let state: Shadow;
    if (id === 0) {
      state = new Shadow();
      this.locations++;
    } else {
      state = this.states[id]!;
      if (state.refs === 1) return state;
      state.refs--;
      state = state.copy();
    }
    page[slot] = this.stateId(state, 1);
    return state;
  }
}
