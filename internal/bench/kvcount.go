package bench

import (
	"context"
	"fmt"
	"strings"

	"qinqi/store"
)

// kvCounter counts the KV's round trips and commands by name, through the store's RoundTrip hook on
// a second client of the county's KV (same server and prefix), used only by the counting pass.
type kvCounter struct{ tally }

// countingKV opens that second client. With the in-process KV there is no second client to open:
// the pass then uses the county's KV and counts nothing.
// close is the second client's Close (nothing for the county's own).
func (c *county) countingKV(ctx context.Context) (kv *store.KV, kvc *kvCounter, close func(), err error) {
	kvc = &kvCounter{tally{counts: map[string]int64{}}}
	if c.kv.InProcess() {
		return c.kv, kvc, func() {}, nil
	}
	o := c.kvOpts
	o.RoundTrip = kvc.note
	if kv, err = store.OpenKV(ctx, o); err != nil {
		return nil, nil, nil, err
	}
	return kv, kvc, func() { _ = kv.Close() }, nil
}

func (k *kvCounter) note(commands []string) {
	k.add("round trips")
	for _, name := range commands {
		k.add("commands", "redis "+strings.ToUpper(name)) // breakdown lists the labels with a space
	}
}

// addRow prints the Redis round trips each report cost in a counted run, the outbox's sends included.
func (k *kvCounter) addRow(rep *Report, c *county, senders int, n int64, before, after map[string]int64) {
	if c.kv.InProcess() {
		return
	}
	per := func(key string) float64 { return float64(after[key]-before[key]) / float64(n) }
	rep.Add(Row{Suite: "checkin", Case: "Redis per check-in, " + nOf(senders, "sender"), Backend: c.backend, Value: per("round trips"), Unit: "rt/msg",
		Extra: fmt.Sprintf("%.2f commands per msg (%d msgs, counted in the client); per msg: %s",
			per("commands"), n, breakdown(before, after, int(n)))})
}
