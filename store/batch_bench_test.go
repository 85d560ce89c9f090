//go:build unix

package store_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// BenchmarkReportBatch is the store's part of one check-in report on the inbox's group-commit path:
// the inbox row (the batch's rows with one INSERT where the store can, as the inbox writes them), the
// check-in with its audit row, the reply and the done mark, eight reports to a batch (-report-batch
// sets another size: go test -run '^$' -bench ReportBatch -benchmem ./store -args -report-batch 32).
// As on the inbox's path, each report runs under the sender cache (its batch's KV reads made ahead
// of the transaction, the directory's token read once a batch), so the person's account is checked
// in the cache, not by an UPDATE each report. The KV is Redis when QINQI_TEST_REDIS_ADDR is set,
// else the in-process one with the token in the database, as qinqi chooses.
// One op is one report; run with -benchmem for the allocations per report.
// cpu-ns/op is the process's CPU per report (with SQLite it includes the engine), which on a shared
// machine says more than the wall clock.
func BenchmarkReportBatch(b *testing.B) {
	perBatch := max(*reportBatch, 1)
	for _, be := range testenv.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			st, ctx := be.Open(b), context.Background()
			kvs := testenv.KVBackends()
			kv := kvs[len(kvs)-1].Open(b)
			dir, err := store.NewDirectory(st, kv, !kv.InProcess(), nil)
			if err != nil {
				b.Fatal(err)
			}
			k, ps := pairedCounty(b, st, 1, func(int) domain.Tags { return domain.MakeTags(domain.TagLifted) })
			p := ps[0]
			b.ResetTimer()
			cpu0 := processCPU(b)
			for i := 0; i < b.N; i += perBatch {
				_, ahead, _ := kv.ReadAhead(ctx, nil, nil, 0, dir.AheadKeys())
				err := st.Batch(store.WithReadAhead(ctx, ahead), func(ctx context.Context) error {
					ins := make([]*store.InboxMessage, 0, perBatch)
					for j := i; j < min(i+perBatch, b.N); j++ {
						ins = append(ins, benchInbound(j))
					}
					if err := saveInbound(ctx, st, ins); err != nil {
						return err
					}
					for n, in := range ins {
						hctx := ctx
						if !store.DirectoryWritten(ctx) { // as the inbox: no cache filled from a batch that wrote it
							hctx = dir.Begin(ctx)
						}
						if err := benchReport(hctx, st, k, p, in, i+n); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

var reportBatch = flag.Int("report-batch", 8, "reports to a batch in BenchmarkReportBatch")

func benchInbound(i int) *store.InboxMessage {
	return &store.InboxMessage{Transport: "fake", Account: "a1", MsgID: fmt.Sprintf("m%d", i), SenderKey: "@k", Kind: "text",
		Text: "走访 户主 送米一袋", ReceivedAt: time.Now()}
}

// saveInbound writes a batch's inbox rows as the inbox does: at once where the store can.
func saveInbound(ctx context.Context, st *store.Store, ins []*store.InboxMessage) error {
	if err := st.SaveInboundAll(ctx, ins); !errors.Is(err, store.ErrNotBatched) {
		return err
	}
	for _, in := range ins {
		if err := st.SaveInbound(ctx, in); err != nil {
			return err
		}
	}
	return nil
}

func benchReport(ctx context.Context, st *store.Store, k store.Person, p store.Pairing, in *store.InboxMessage, i int) error {
	now := time.Now()
	src := fmt.Sprintf("fake:a1:m%d", i)
	c := store.CheckIn{PairingID: p.ID, CadreID: k.ID, HouseholdID: p.HouseholdID, Kind: "visit", Mode: "visit",
		OccurredAt: now, ReportedAt: now, Text: "走访 户主 送米一袋", Items: "米×1", SourceMsgID: &src}
	if _, _, err := st.CreateCheckIn(ctx, c, k.ID); err != nil {
		return err
	}
	reply := store.OutboxMessage{Key: "reply:" + src, Account: "a1", PersonID: &k.ID, Text: "已记录", CreatedAt: now}
	return st.CompleteInbound(ctx, in.ID, store.InboxResult{Status: store.InDone, PersonID: k.ID, Account: "a1",
		Replies: []store.OutboxMessage{reply}}, now)
}

// processCPU is the user and system CPU time the test process has used so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkEnqueueOutboxBatch queues 500 overdue digests (one key chunk) to recipients without a chat
// account, as the first day's overdue scan does 60,000 times in a million-pairing county, through the
// hand-written multi-row INSERT and through gorm's CreateInBatches it replaced. One op is one message.
func BenchmarkEnqueueOutboxBatch(b *testing.B) {
	const per = 500
	for _, be := range testenv.Backends() {
		for _, path := range []string{"hand", "gorm"} {
			b.Run(be.Name+"/"+path, func(b *testing.B) {
				st, ctx := be.Open(b), context.Background()
				ids := addPeople(b, st, "C001")
				enqueue := st.EnqueueOutboxBatch
				if path == "gorm" {
					enqueue = st.EnqueueOutboxBatchWithGormForTest
				}
				now := time.Now()
				text := strings.Repeat("1. 王春发（本月未走访，上次 11月3日）\n", 4)
				b.ResetTimer()
				cpu0 := processCPU(b)
				for i := 0; i < b.N; i += per {
					msgs := make([]store.OutboxMessage, 0, per)
					for j := i; j < min(i+per, b.N); j++ {
						msgs = append(msgs, store.OutboxMessage{Key: fmt.Sprintf("overdue:20260310:%d", j), PersonID: &ids[0],
							Priority: store.PriorityAlert, CreatedAt: now, Text: text})
					}
					if _, err := enqueue(ctx, msgs); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}
