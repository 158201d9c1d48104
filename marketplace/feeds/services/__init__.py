"""Feed use cases, by concern: `requests` (ask for a feed, retry one), `build` (the build task's work, with
`combined` for feeds of every cooperative and `snapshot` for the datafeed snapshot, fenced by `runs`), `queries`
(what pages, the API and /lkpp/v1 read), `schedule` (the nightly and weekly feeds), `cleanup` and `recovery`."""
