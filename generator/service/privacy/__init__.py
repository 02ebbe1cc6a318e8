"""Personal data: the people the service keeps something for, what it holds about them (export), erasure, and
the retention purge. DATA.md (the data map) lists every stored column, why it is kept and for how long."""
