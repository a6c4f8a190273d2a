// What stops the projector short of a raw COPY, measured in the same run (issue 19 item 5).

/**
 * The most the projector can reach while PostgreSQL's work per event stays what it is: a batch is
 * one transaction in one backend, and the next batch's transaction starts only after it commits
 * (ProjectionPipeline overlaps Node's half only), so the backends' CPU per event bounds the rate
 * whatever Node does. The COPY's backend work per row is the same measure for the baseline.
 */
export function postgresBoundCeiling(projectorMicros: number, copyMicros: number, copyRate: number): { ratio: number; text: string } {
  const events = 1e6 / projectorMicros;
  const ratio = events / copyRate;
  return {
    ratio,
    text: `PostgreSQL-bound ceiling: the projector's backends spent ${projectorMicros.toFixed(0)} µs of CPU per event (the COPY's ${copyMicros.toFixed(0)} µs per row, ${(projectorMicros / copyMicros).toFixed(1)}×); one transaction at a time cannot exceed ${Math.round(events)} events/s = ${ratio.toFixed(2)}× the COPY's rate, with Node's work costing nothing`,
  };
}
