// Calls and errors per hour as 24 bars. Hand-drawn SVG rather than a chart library: 24 rectangles
// are a few lines, scale with the container, follow the theme's CSS variables, and come with a
// text alternative (a table for screen readers) — uPlot would add ~45 kB and a canvas axe cannot read.

export interface HourBucket {
  hour: string;
  calls: number;
  errors: number;
}

const W = 480;
const H = 120;
const AXIS = 0;

export function ActivityChart({ buckets }: { buckets: readonly HourBucket[] }) {
  const max = Math.max(1, ...buckets.map((b) => b.calls));
  const step = W / Math.max(1, buckets.length);
  const bar = Math.max(1, step - 2);
  const y = (n: number) => ((H - AXIS) * n) / max;
  const label = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit' });
  return (
    <figure className="chart-figure">
      <svg className="chart" viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" aria-hidden="true">
        {buckets.map((b, i) => (
          <g key={b.hour}>
            <rect
              className="bar-calls"
              x={i * step}
              y={H - AXIS - y(b.calls)}
              width={bar}
              height={y(b.calls)}
            />
            <rect
              className="bar-errors"
              x={i * step}
              y={H - AXIS - y(b.errors)}
              width={bar}
              height={y(b.errors)}
            />
          </g>
        ))}
      </svg>
      {/* Hour labels in HTML, not in the stretched SVG (its text would stretch with it). */}
      <div className="chart-axis" aria-hidden="true">
        {buckets
          .filter((_, i) => i % 6 === 0)
          .map((b) => (
            <span key={b.hour}>{label(b.hour)}</span>
          ))}
      </div>
      <figcaption className="legend">
        <span>
          <span className="swatch swatch-calls" />
          Calls
        </span>
        <span>
          <span className="swatch swatch-errors" />
          Errors
        </span>
        <span>peak {max} calls/hour</span>
      </figcaption>
      {/* A table keeps its rows' height whatever its own: the wrapper is what is hidden. */}
      <div className="visually-hidden">
        <table>
          <caption>Calls and errors per hour, last {buckets.length} hours</caption>
          <thead>
            <tr>
              <th scope="col">Hour</th>
              <th scope="col">Calls</th>
              <th scope="col">Errors</th>
            </tr>
          </thead>
          <tbody>
            {buckets.map((b) => (
              <tr key={b.hour}>
                <td>{new Date(b.hour).toLocaleString()}</td>
                <td>{b.calls}</td>
                <td>{b.errors}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
