/// The dashboard's one stylesheet (served at `/dashboard/assets/dashboard.css` with long cache headers; the URL
/// carries `version`). Light and dark schemes through `prefers-color-scheme`; system fonts only.
enum DashboardStylesheet {
    static let version = "6"

    static let css = """
        :root { --bg: #ffffff; --fg: #1b1f24; --muted: #59636e; --line: #d1d9e0; --panel: #f6f8fa; --bar: #2f6fb3;
          --accent: #0b57d0; --bad: #b42318; color-scheme: light dark; }
        @media (prefers-color-scheme: dark) {
          :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --panel: #151b23; --bar: #6cb6ff;
            --accent: #79b8ff; --bad: #ff7b72; }
        }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--fg);
          font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
        a { color: var(--accent); }
        header.top { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; padding: .6rem 1.25rem;
          border-bottom: 1px solid var(--line); background: var(--panel); }
        .brand { font-weight: 700; color: var(--fg); text-decoration: none; font-size: 1.1rem; }
        nav a { margin-right: 1rem; text-decoration: none; }
        nav a[aria-current="page"] { font-weight: 700; text-decoration: underline; }
        .who { margin-left: auto; display: flex; gap: .75rem; align-items: center; color: var(--muted); }
        .who form { margin: 0; }
        main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
        h1 { font-size: 1.5rem; margin: .5rem 0 1rem; }
        h2 { font-size: 1.15rem; margin: 2rem 0 .6rem; }
        button, input, select { font: inherit; color: inherit; }
        button { background: var(--accent); color: var(--bg); border: 0; border-radius: 6px; padding: .45rem .9rem; cursor: pointer; }
        button.link { background: none; color: var(--accent); padding: 0; text-decoration: underline; }
        input, select { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .4rem .5rem; }
        .windows { display: flex; gap: .5rem; margin-bottom: 1rem; flex-wrap: wrap; }
        .windows a { padding: .25rem .7rem; border: 1px solid var(--line); border-radius: 999px; text-decoration: none; }
        .windows a[aria-current="page"] { background: var(--accent); color: var(--bg); border-color: var(--accent); }
        .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: .75rem; margin: 0; }
        .figure { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem; }
        .figure dt { color: var(--muted); font-size: .85rem; }
        .figure dd { margin: .15rem 0 0; font-size: 1.35rem; font-weight: 600; font-variant-numeric: tabular-nums; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; margin-top: 1.5rem; }
        figure.chart { margin: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem; }
        figure.chart figcaption { font-weight: 600; margin-bottom: .3rem; }
        .chart-svg { width: 100%; height: auto; display: block; }
        .chart-svg .bar { fill: var(--bar); }
        .chart-svg .bar:hover { fill: var(--accent); stroke: var(--fg); stroke-width: 1; }
        .chart-svg .grid { stroke: var(--line); stroke-width: 1; }
        .chart-svg .axis { stroke: var(--muted); stroke-width: 1; }
        .chart-svg .tick { fill: var(--muted); font-size: 12px; }
        .chart-svg .unit { font-style: italic; }
        .empty { color: var(--muted); font-style: italic; padding: 1rem 0; margin: 0; }
        .table-wrap { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; font-size: .85rem; }
        td.num, th.num { text-align: right; white-space: nowrap; }
        td.when { white-space: nowrap; }
        td.when span { white-space: nowrap; }
        table.conversations td:nth-child(2) { min-width: 11rem; }
        .filters { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: .6rem; align-items: end;
          background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: .75rem; margin-bottom: 1rem; }
        .filters label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); gap: .2rem; }
        .filters .wide { grid-column: span 2; }
        .actions { display: flex; gap: .75rem; flex-wrap: wrap; margin: .5rem 0 1rem; }
        .actions a { text-decoration: none; border: 1px solid var(--line); border-radius: 6px; padding: .3rem .7rem; }
        .pager { margin-top: 1rem; }
        .status { font-size: .8rem; padding: .05rem .45rem; border-radius: 999px; border: 1px solid var(--line); white-space: nowrap; }
        .status-FAILED { color: var(--bad); border-color: var(--bad); }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
        dl.facts dt { color: var(--muted); }
        dl.facts dd { margin: 0; overflow-wrap: anywhere; }
        .message { border: 1px solid var(--line); border-radius: 8px; margin: .75rem 0; background: var(--panel); }
        .message header { display: flex; flex-wrap: wrap; gap: .4rem 1rem; padding: .4rem .8rem; border-bottom: 1px solid var(--line);
          color: var(--muted); font-size: .85rem; }
        .message header .role { font-weight: 700; color: var(--fg); }
        .message pre { margin: 0; padding: .6rem .8rem; white-space: pre-wrap; overflow-wrap: anywhere;
          font: 14px/1.45 ui-monospace, "DejaVu Sans Mono", monospace; background: var(--bg); }
        .message footer { padding: .4rem .8rem; font-size: .85rem; color: var(--muted); display: flex; flex-wrap: wrap; gap: .3rem 1rem; }
        .login { max-width: 420px; margin: 4rem auto; background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 1.5rem; }
        .login label { display: flex; flex-direction: column; gap: .3rem; margin-bottom: 1rem; }
        .login input { width: 100%; }
        .error { color: var(--bad); }
        .hint { color: var(--muted); font-size: .9rem; }
        @media (max-width: 600px) {
          main { padding: .75rem; }
          .opt { display: none; }
          table.conversations td:nth-child(2) { min-width: 0; }
          td.when { white-space: normal; }
          th, td { padding: .35rem .3rem; }
          table { font-size: .85rem; }
          .status { font-size: .7rem; padding: 0 .3rem; }
          .chart-svg .tick { font-size: 15px; }
          .filters .wide { grid-column: auto; }
          .figure dd { font-size: 1.15rem; }
          .who { margin-left: 0; }
        }
        """
}
