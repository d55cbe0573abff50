import { MAX_BATCH_COMMANDS } from "../limits/apiLimits";

/** The longest one step of the pacing loop waits before asking again (a call may arrive). */
const PACING_STEP_MS = 50;

/**
 * The longest engine quiet that is learned, in sustained intervals: a program that pauses for
 * minutes (awaiting something of its own) must not teach the batcher to hold a last wave as long.
 */
const LONGEST_LEARNED_QUIET = 10;

/** How many times lone writes wait for company before they are taken as one after another. */
const PROBES = 2;

/** What is queued and on its way when the batcher asks whether to send now. */
export interface Queued {
  /** Calls waiting in the queue. */
  readonly queued: number;
  /** When the oldest of them was handed over. */
  readonly oldestAt: number;
  /** The sustained interval between requests (1000 / the deployment's rate), in ms. */
  readonly spacing: number;
}

/**
 * The engine's rhythm as the batcher sees it, and the rule for when what is queued leaves.
 *
 * The real engine hands over the operations of a deployment as its --parallel slots free up, and
 * each slot frees only after the engine has written the whole state for the step that ended
 * (one write per step's start and one per its end, one write at a time). So after we answer K
 * calls the engine goes quiet for about K writes, then hands over new calls one write apart; the
 * writes grow with the state (at 400 resources the quiet after a batch of 50 lasts a second, and
 * longer at 1,000). A quiet that long is not the end of a phase: the batcher learns the longest
 * quiet it has seen end in a call, and only a quiet half again as long counts as calm. The
 * engine's quiet is the time since its last call that was not ours: while a request of ours is on
 * its way, or the whole wave is with us (every slot of the engine waits for an answer), the
 * engine cannot hand anything over, and our answer starts its work anew.
 */
export class Pacing {
  /**
   * The most calls ever outstanding at once (queued or on their way), and since when: what the
   * engine's --parallel lets it hand over. Once it has stopped growing, that many outstanding
   * again means the engine's wave is whole; `confirmed`: seen whole once (see sendNow);
   * `growthGap`: the longest the engine took between two calls while the wave grew.
   */
  private wave = { size: 0, since: 0, confirmed: false, growthGap: 0 };
  /** Between the last two calls handed over. */
  private lastGap = 0;
  /** Lone writes that may still wait for company (see sendNow): none came: one after another. */
  private probes = PROBES;
  private lastSent = { at: 0, calls: 0 };
  /** Calls queued or on their way (each arrives once and is answered once), and our requests. */
  private outstanding = 0;
  private requests = 0;
  /**
   * Time the engine could hand nothing over — a request of ours on its way, or the whole wave
   * with us: `total` until `since`, and whether it is so now.
   */
  private ours = { total: 0, since: 0, now: false };
  /**
   * When the newest call was handed over, how much of the time until then was ours, and how
   * long after our last answer it came (0 while a request of ours was on its way).
   */
  private lastArrival = { at: 0, ours: 0, write: false, afterAnswer: 0 };
  /** When the process's first write was handed over. */
  private firstWriteAt: number | undefined;
  /** When our last answer came, and whether it carried a whole wave (or a full batch of it). */
  private lastAnswer = { at: 0, whole: false };
  /**
   * The engine's quiet after it got a whole wave back has been learned: the longest it writes
   * the state before handing over again, so calm needs no more than half again that (see
   * sendNow's patience).
   */
  private wholeQuietLearned = false;
  /** The engine's longest quiet that ended in a call (see the class comment). */
  private longestQuiet = 0;

  /**
   * A call was handed over. `write`: an add, update or delete, which the engine hands over
   * after writing the state; only the quiet before those is learned (a refresh's reads come
   * between steps that write nothing, and the quiet between two reads that missed the
   * read-ahead is the engine reading the rest).
   */
  arrived(now: number, spacing: number, write = true): void {
    if (this.lastArrival.at > 0) {
      this.lastGap = now - this.lastArrival.at;
      const learned = Math.min(this.quiet(now), LONGEST_LEARNED_QUIET * spacing);
      if (write) this.longestQuiet = Math.max(this.longestQuiet, learned);
      // The first call after a whole wave came back ends the longest quiet the engine has:
      // it wrote the state for every operation of the wave before handing over again.
      const firstAfter = this.lastArrival.at < this.lastAnswer.at;
      if (write && firstAfter && this.lastAnswer.whole) this.wholeQuietLearned = true;
    }
    if (++this.outstanding > this.wave.size) {
      // Wall time, not the engine's quiet: while a wave grows, every call finds the whole
      // wave with us, so its quiet reads 0.
      const growthGap = Math.max(this.wave.growthGap, this.lastGap);
      this.wave = { size: this.outstanding, since: now, confirmed: false, growthGap };
    }
    this.update(now);
    if (write) this.firstWriteAt ??= now;
    const afterAnswer = this.requests > 0 ? 0 : now - this.lastAnswer.at;
    this.lastArrival = { at: now, ours: this.oursUntil(now), write, afterAnswer };
  }

  sent(now: number, calls: number): void {
    this.lastSent = { at: now, calls };
    this.requests++;
    this.update(now);
  }

  /** A request of ours carrying `calls` was answered (or lost). */
  answered(now: number, calls: number): void {
    this.requests--;
    this.outstanding -= calls;
    const whole = this.wave.size > 1 && calls >= Math.min(this.wave.size, MAX_BATCH_COMMANDS);
    this.lastAnswer = { at: now, whole };
    this.update(now);
  }

  private update(now: number): void {
    const ours = this.requests > 0 || (this.wave.size > 1 && this.outstanding >= this.wave.size);
    if (ours && !this.ours.now) this.ours = { ...this.ours, since: now, now: true };
    if (!ours && this.ours.now)
      this.ours = { total: this.ours.total + now - this.ours.since, since: now, now: false };
  }

  /** How long, in all until `now`, the engine could hand nothing over because of us. */
  private oursUntil(now: number): number {
    return this.ours.total + (this.ours.now ? now - this.ours.since : 0);
  }

  /** The engine's quiet: since its last call, without the time that was ours. */
  private quiet(now: number): number {
    return now - this.lastArrival.at - (this.oursUntil(now) - this.lastArrival.ours);
  }

  /**
   * How long to wait before asking again; 0: send what is queued now. While a stream goes on — a
   * request of ours is on its way, the last one left less than one sustained interval ago
   * carrying several calls, several calls wait together, or a write comes from an engine that
   * once had two calls with us at once — a batch waits for the rest of that interval, and then,
   * until the engine has been calm, up to three intervals (or three times the calm quiet) after
   * its oldest call came (longer while the wave still grows at the engine's rhythm): at a high
   * --parallel one more second of collecting saves a request. A full batch leaves at once. A
   * lone call, or one operation after another, is not held (but twice: see below). Once a whole
   * wave has been seen (the engine's --parallel: as many outstanding as ever, not grown for
   * twice the longest gap it grew by, and no call for two gaps of the engine's rhythm), a batch
   * leaves as soon as that many are queued again (this remembers the wave as seen): holding it
   * only spends time; so does holding what is queued once nothing of ours is on its way and the
   * engine has been calm (a phase's last wave).
   */
  sendNow(now: number, q: Queued): number {
    if (q.queued >= MAX_BATCH_COMMANDS) return 0;
    // Calm: a quiet half again as long as the longest learned, and at least a quarter interval
    // until the quiet after a whole wave's answer is learned (before, the rest of a 64-wave
    // behind a full batch would leave alone while the engine writes the state for the 50), an
    // eighth after (the last partial wave of a phase at 100 resources, --parallel 8, waited
    // 250 ms where the engine's quiet is 20-50 ms).
    const floor = q.spacing / (this.wholeQuietLearned ? 8 : 4);
    const patience = Math.max(floor, 1.5 * this.longestQuiet);
    // The least a lone write waits for company (see below), and the first wave for its rest.
    const company = q.spacing / 8;
    // Two gaps of the engine's current rhythm without a call: it has nothing more to hand over.
    const stillAt = this.lastArrival.at + Math.min(2 * this.lastGap, patience);
    // An engine that once had two calls with us at once runs several operations at a time (its
    // --parallel): its lone write is the first of more, handed over one state write apart
    // whether we answer or not. Only an engine that never had two (--parallel 1, or a phase's
    // first calls) may be going one after another.
    const several = this.wave.size > 1 && this.lastArrival.write;
    const stream = this.requests > 0 || this.lastSent.calls > 1 || q.queued > 1 || several;
    if (!stream) {
      // A lone write after a lone call: one operation after another, or the first calls of a
      // wide wave before two were ever with us. Twice it waits for company: twice the time the
      // engine took from our answer to this call (at --parallel 1 the next call cannot come
      // before we answer; a wider engine hands it over a state write after this one, answer or
      // not: at 1,000 resources 120-180 ms, longer than the eighth of an interval once waited),
      // at least an eighth of an interval (125 ms at the default share), at most half; not
      // the gap between calls, which holds our own wait. None came: one after another. (A
      // refresh's reads that miss the read-ahead come alone by nature.)
      if (this.probes === 0 || this.lastSent.calls !== 1 || !this.lastArrival.write) return 0;
      const engineTime = 2 * this.lastArrival.afterAnswer;
      const probe = Math.min(q.spacing / 2, Math.max(company, engineTime));
      const probeEnd = this.lastArrival.at + probe;
      if (now < probeEnd) return Math.min(PACING_STEP_MS, Math.max(1, probeEnd - now));
      this.probes--;
      return 0;
    }
    // All the engine can hand over is queued (as many as ever, and seen whole: below; a wave
    // seen whole once need not be waited for again): waiting fills nothing.
    // A wave wider than a batch: its rest waits behind the full one for the engine's next part
    // (at --parallel 64, 50 then 14 would double the requests). A wave first seen while the
    // engine was still handing over grows to its real size this way, not by one a cycle.
    const whole = q.queued >= Math.min(this.wave.size, MAX_BATCH_COMMANDS);
    // Seen whole: no call for two gaps of the rhythm, and not grown for twice the longest gap
    // it grew by (a quarter interval at most). At 100 resources the engine hands a wave of 8
    // over 2-20 ms apart: a fixed quarter interval (250 ms at the default share) held every
    // command's first wave ~120 ms longer; at 1,000 the calls come a state write (~100 ms)
    // apart, and twice that is about the quarter interval again.
    const grown = Math.min(q.spacing / 4, 2 * this.wave.growthGap);
    // Before the process's first request, not before an eighth of an interval after its first
    // write (what a lone write waits for company): a phase's first two calls may come 2 ms
    // apart, and two gaps of that rhythm are no wave (the native plugin's destroy at 100
    // resources sent them as a whole wave of 2: 14 requests for 13 waves of 8).
    const firstWrite = this.lastSent.calls === 0 ? this.firstWriteAt : undefined;
    const firstProbeEnd = firstWrite === undefined ? 0 : firstWrite + company;
    const seenAt = Math.max(stillAt, this.wave.since + grown, firstProbeEnd);
    if (this.wave.size > 1 && whole && (this.wave.confirmed || now >= seenAt)) {
      this.wave.confirmed = true;
      return 0;
    }
    // While the time is ours the quiet stands still: calm is not reached then.
    const calmAt = this.ours.now ? Infinity : now + patience - this.quiet(now);
    if (now >= calmAt) return 0;
    const spacedAt = this.lastSent.at + q.spacing;
    const heldAt = q.oldestAt + Math.max(3 * q.spacing, 3 * patience);
    // A wave still growing at the engine's rhythm, all of it queued: the engine is handing over
    // without waiting for us, so holding costs it nothing; the three intervals do not end it
    // (at a state write apart they cut the first wave of a change at 1,000 resources into
    // batches of ~20), the engine's pause or a full batch does.
    const growing = whole && this.wave.since === this.lastArrival.at && now < stillAt;
    if (now >= spacedAt && now >= heldAt && !growing) return 0;
    // Until the next rule may let it go (or a call arrives and makes the wave whole).
    const held = Math.max(spacedAt, heldAt, growing ? stillAt : 0);
    const rules = [calmAt, held, whole ? seenAt : Infinity];
    return Math.min(PACING_STEP_MS, Math.max(1, Math.min(...rules) - now));
  }
}
