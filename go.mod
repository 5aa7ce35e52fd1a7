module github.com/fastredis/fastredis

go 1.24.0

tool golang.org/x/perf/cmd/benchstat

require (
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794 // indirect
	golang.org/x/perf v0.0.0-20260112171951-5abaabe9f1bd // indirect
)
