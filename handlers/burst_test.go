package handlers_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/longbridgeapp/opencc"

	"qinqi/bot"
	"qinqi/handlers"
	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/seed"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// TestCountyBurstAnswersEveryReport replays a county's burst of reports through the real pipeline
// (fake channel → inbox → router → store → outbox → fake channel) and checks every single message:
// a check-in row exists for it (or, for the same report sent again, its sender was answered with the
// record of the earlier one), or a refusal or the question it waits for was queued to its sender
// and sent — none left without a word, none held back by the outbox's repeat guard (loop_guard 20,
// the production default). The county is seed.Generate's, 755 cadres and 772 households, with the
// heads renamed from the corpus test's names (王六斤, 李三元 …); the reports are the corpus test's
// phrasing families (every kind, free word order, money and dates right and wrong), every other one
// in traditional script. One cadre's list holds two households both called 周勇, and that cadre
// sends 25 reports naming 周勇 on one day: each must get the same question, which the repeat guard
// used to drop from the 21st on. With QINQI_SIM_FULL set (.ci/run's full-size step, without -race)
// the whole county sends 22 reports per cadre, about 16,600, the size of the county-scale replay of
// issue 12; otherwise (the -race suite on 2 cores) a fifth of the county sends one report per cadre,
// about 180 messages. Nothing here is timed.
func TestCountyBurstAnswersEveryReport(t *testing.T) {
	size := burstSize{cadres: 151, households: 155, rounds: 1}
	if os.Getenv("QINQI_SIM_FULL") != "" {
		size = burstSize{cadres: 755, households: 772, rounds: 22}
	}
	for _, b := range testenv.Backends() {
		t.Run(b.Name, func(t *testing.T) {
			st := b.Open(t)
			county := seedBurstCounty(t, st, size)
			reports := county.reports(t, size.rounds)
			rig := startBurstRig(t, st)
			for _, r := range reports {
				rig.fake.Push(bot.Message{Account: "a1", ID: r.id, SenderKey: r.key, Kind: bot.KindText, Text: r.text, Time: parseNow})
			}
			rig.wait(t, len(reports))
			checkBurst(t, st, reports)
			checkRepeatedQuestion(t, rig.fake, county.zhou)
		})
	}
}

// burstSize is the county and how many reports each of its cadres sends.
type burstSize struct{ cadres, households, rounds int }

// burstCadre is one bound cadre of the county with their list as the parser sees it.
type burstCadre struct {
	id   domain.PersonID
	key  string
	list corpusCadre
}

type burstCounty struct {
	cadres []burstCadre
	zhou   burstCadre // the cadre with two households called 周勇
}

// burstReport is one message sent in the burst and what it must come to: saved, question or refused.
type burstReport struct {
	id, key, text string
	cadre         domain.PersonID
	want          string
}

const burstZhouReports = 25 // more than config.Defaults().Outbox.LoopGuard identical questions

// seedBurstCounty writes the county, renames the heads from the corpus names (two 周勇 in one
// list) and binds every cadre with a household on the fake channel's account a1.
func seedBurstCounty(t *testing.T, st *store.Store, size burstSize) burstCounty {
	t.Helper()
	ctx := context.Background()
	if _, err := seed.Generate(ctx, st, seed.Options{Households: size.households, Cadres: size.cadres, Seed: 12, Start: clock.Date(2026, 1, 5)}); err != nil {
		t.Fatal(err)
	}
	byCode := renameHeads(t, st, size.households)
	cadres := burstCadres(t, st)
	zhou := slices.IndexFunc(cadres, func(c burstCadre) bool { return len(c.list.hhs) == 2 })
	if zhou < 0 {
		t.Fatal("no cadre with two households in the seeded county")
	}
	for _, ref := range cadres[zhou].list.hhs {
		h := byCode[ref.Code]
		h.HeadName = "周勇"
		burstMust(t, st.UpsertHouseholds(ctx, []store.Household{h}, nil))
	}
	cadres = burstCadres(t, st)
	for _, c := range cadres {
		burstMust(t, st.BindChatIdentity(ctx, store.ChatIdentity{Transport: "fake", Account: "a1", ExternalKey: c.key, PersonID: c.id}, parseNow))
	}
	return burstCounty{cadres: cadres, zhou: cadres[zhou]}
}

// renameHeads gives the seeded households distinct names drawn by the corpus test (王六斤, 李三元 …)
// and returns the households by code.
func renameHeads(t *testing.T, st *store.Store, n int) map[string]store.Household {
	t.Helper()
	ctx := context.Background()
	codes := make([]string, n)
	for i := range codes {
		codes[i] = fmt.Sprintf("H%08d", i+1) // seed.Generate's codes
	}
	byCode, err := st.HouseholdsByCodes(ctx, codes)
	burstMust(t, err)
	names := corpusNames(rand.New(rand.NewPCG(12, uint64(n))), n)
	hhs := make([]store.Household, n)
	for i, c := range codes {
		hhs[i] = byCode[c]
		hhs[i].HeadName = names[i]
		byCode[c] = hhs[i]
	}
	burstMust(t, st.UpsertHouseholds(ctx, hhs, nil))
	return byCode
}

// burstCadres lists the cadres with at least one household on parseNow's day, by id, each with
// their list in the router's order.
func burstCadres(t *testing.T, st *store.Store) []burstCadre {
	t.Helper()
	ctx := context.Background()
	pairs, err := st.AllPairings(ctx)
	burstMust(t, err)
	seen := map[domain.PersonID]bool{}
	var out []burstCadre
	for _, p := range pairs {
		if seen[p.CadreID] {
			continue
		}
		seen[p.CadreID] = true
		hhs, err := st.HouseholdsOfCadre(ctx, p.CadreID, parseNow)
		burstMust(t, err)
		if len(hhs) == 0 {
			continue
		}
		c := burstCadre{id: p.CadreID, key: fmt.Sprintf("wx-%d", p.CadreID)}
		for _, h := range hhs {
			c.list.hhs = append(c.list.hhs, handlers.HouseholdRef{Name: h.Household.HeadName, Code: h.Household.Code, Initials: h.Household.Initials})
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}

// reports draws rounds reports per cadre from the corpus test's phrasing families, every other
// one in traditional script and none repeating a text its sender sent before (an identical text is
// a client's resend, dropped by design), then the 周勇 cadre's reports that each need the question.
func (c burstCounty) reports(t *testing.T, rounds int) []burstReport {
	t.Helper()
	s2t, err := opencc.New("s2t")
	burstMust(t, err)
	r := rand.New(rand.NewPCG(12, 2026))
	sent := map[string]bool{} // key + text
	var out []burstReport
	add := func(id string, bc burstCadre, fam, i int) bool {
		text, want := corpusFamilies[fam].build(r, bc.list, i)
		if len(out)%2 == 1 {
			text, err = s2t.Convert(text)
			burstMust(t, err)
		}
		if sent[bc.key+"\x00"+text] {
			return false
		}
		sent[bc.key+"\x00"+text] = true
		out = append(out, burstReport{id: id, key: bc.key, text: text, cadre: bc.id, want: burstWant(want, len(bc.list.hhs))})
		return true
	}
	for round := range rounds {
		for k, bc := range c.cadres {
			i := r.IntN(len(bc.list.hhs))
			for try := range 20 { // another family when this one repeats a text
				if add(fmt.Sprintf("b%d-%d", round, bc.id), bc, (round*len(c.cadres)+k+try)%len(corpusFamilies), i) {
					break
				}
			}
		}
	}
	for n := 0; n < burstZhouReports; {
		if add(fmt.Sprintf("zhou-%d", n), c.zhou, 0, 0) { // "keyword name goods": 走访 周勇 送… …
			n++
		}
	}
	return out
}

// burstWant is what a report must come to in a list of n households: refused (a bad amount, date
// or list number), saved (one household named, households by list number, or none named in a list
// of one) or the question.
func burstWant(w corpusWant, n int) string {
	switch {
	case w.err != nil || w.badNumber != 0:
		return "refused"
	case len(w.picks) == 1, len(w.picks) == 0 && n == 1, w.listed:
		return "saved"
	}
	return "question"
}

// burstRig is the production pipeline on the store, the in-process KV and a fake clock standing
// at parseNow: the outbox with the production repeat guard and no bucket (the rate is not under test).
type burstRig struct {
	fake     *burstFake
	p        *bot.Pipeline
	received atomic.Int64
}

// burstFake is the fake channel counting the messages the pipeline has taken.
type burstFake struct {
	*bot.Fake
	taken *atomic.Int64
}

func (f burstFake) Receive(ctx context.Context, h func(context.Context, bot.Message)) error {
	return f.Fake.Receive(ctx, func(ctx context.Context, m bot.Message) {
		h(ctx, m)
		f.taken.Add(1)
	})
}

func startBurstRig(t *testing.T, st *store.Store) *burstRig {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	clk := clock.NewFake(parseNow)
	cfg := config.Defaults()
	kv := testenv.KV(t)
	router := handlers.New(handlers.Deps{Store: st, Dialogs: kv, Clock: clk, Config: cfg, Logger: quiet, Hanzi: folder(t)})
	rig := &burstRig{}
	rig.fake = &burstFake{Fake: bot.NewFake(), taken: &rig.received}
	lim := bot.Limits{MaxAttempts: cfg.Outbox.MaxAttempts, RetryMin: time.Second, RetryMax: time.Minute, LoopGuard: cfg.Outbox.LoopGuard}
	p, err := bot.NewPipeline(bot.PipelineOptions{
		Accounts: []bot.Account{{Name: "a1", Messenger: rig.fake, Limits: lim}},
		Handler:  router, Store: st, State: kv, Clock: clk, Logger: quiet, SpoolDir: t.TempDir(),
	})
	burstMust(t, err)
	rig.p = p
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("pipeline: %v", err)
		}
	})
	return rig
}

// wait returns once the pipeline has taken n messages and is idle; the deadline only guards
// against a hang, it is not a timing assertion.
func (rig *burstRig) wait(t *testing.T, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Minute)
	defer cancel()
	for rig.received.Load() < int64(n) {
		select {
		case <-ctx.Done():
			t.Fatalf("the pipeline took %d of %d messages", rig.received.Load(), n)
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := rig.p.WaitIdle(ctx); err != nil {
		t.Fatalf("pipeline not idle: %v", err)
	}
}

func burstMust(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// burstSeen is what the database holds after the burst, by message id and inbox row.
type burstSeen struct {
	rows    map[string]store.InboxMessage            // by message id
	replies map[domain.InboxID][]store.OutboxMessage // replies queued for each inbox row
	saved   map[string]bool                          // check-ins by source message id
}

// checkBurst asserts, message by message, that each report reached the inbox and was saved or
// answered with a refusal or a question, every reply sent to its sender; it names every message
// lost or misread.
func checkBurst(t *testing.T, st *store.Store, reports []burstReport) {
	t.Helper()
	seen := loadBurst(t, st)
	var lost []string
	misread := 0
	for _, r := range reports {
		problem, wrong := seen.problem(r)
		switch {
		case problem != "" && !wrong:
			lost = append(lost, r.id)
			if len(lost) <= 100 { // every lost id is listed below
				t.Errorf("lost %s from %s %q: %s", r.id, r.key, r.text, problem)
			}
		case problem != "":
			misread++
			t.Errorf("misread %s %q: %s", r.id, r.text, problem)
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d of %d reports neither saved nor answered: %s", len(lost), len(reports), strings.Join(lost, " "))
	}
	t.Logf("%d reports: %d lost, %d answered otherwise than expected", len(reports), len(lost), misread)
}

// problem says what went wrong with one report ("" when nothing did); wrong is set when it was
// answered, but not as its phrasing should be.
func (s burstSeen) problem(r burstReport) (problem string, wrong bool) {
	row, ok := s.rows[r.id]
	if !ok {
		return "never reached the inbox", false
	}
	if row.Status != store.InDone {
		return fmt.Sprintf("inbox row %d is %s (%s)", row.ID, row.Status, row.Error), false
	}
	saved := s.saved["fake:a1:"+r.id]
	replies := s.replies[row.ID]
	if len(replies) == 0 {
		return fmt.Sprintf("no reply queued (saved: %v)", saved), false
	}
	got := "refused"
	for _, o := range replies {
		switch {
		case o.Status != store.OutSent:
			return fmt.Sprintf("reply %s %s: %s", o.Key, o.Status, o.LastError), false
		case o.PersonID == nil || *o.PersonID != r.cadre:
			return fmt.Sprintf("reply %s went to %v, not the sender", o.Key, o.PersonID), false
		case strings.Contains(o.Text, "已经记过一条一样的"), strings.Contains(o.Text, "这条没有再记"):
			got = "saved" // the same report from an earlier message, in its words or others: answered with that record
		case strings.HasSuffix(o.Key, store.QuestionKeySuffix):
			got = "question"
		}
	}
	if saved {
		got = "saved"
	}
	if got != r.want {
		return fmt.Sprintf("%s, want %s; the reply: %q", got, r.want, replies[0].Text), true
	}
	return "", false
}

// loadBurst reads every inbox row, every reply and every check-in's source.
func loadBurst(t *testing.T, st *store.Store) burstSeen {
	t.Helper()
	ctx := context.Background()
	s := burstSeen{rows: map[string]store.InboxMessage{}, replies: map[domain.InboxID][]store.OutboxMessage{}, saved: map[string]bool{}}
	for id, misses := domain.InboxID(1), 0; misses < 1000; id++ { // ids may have gaps on MariaDB
		row, err := st.InboxByID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			misses++
			continue
		}
		burstMust(t, err)
		misses = 0
		s.rows[row.MsgID] = row
	}
	for after := domain.OutboxID(0); ; {
		page, err := st.OutboxAfter(ctx, after, 1000)
		burstMust(t, err)
		if len(page) == 0 {
			break
		}
		for _, o := range page {
			var row domain.InboxID
			if _, err := fmt.Sscanf(o.Key, "reply:%d:", &row); err == nil {
				s.replies[row] = append(s.replies[row], o)
			}
			after = o.ID
		}
	}
	cis, err := st.AllCheckIns(ctx)
	burstMust(t, err)
	for _, c := range cis {
		if c.SourceMsgID != nil {
			src, _, _ := strings.Cut(*c.SourceMsgID, "|") // a report for several: one row per household
			s.saved[src] = true
		}
	}
	return s
}

// checkRepeatedQuestion asserts that the burst did put the repeat guard to the test: the 周勇
// cadre was sent the very same question more often than the guard allows a message qinqi starts.
func checkRepeatedQuestion(t *testing.T, fake *burstFake, zhou burstCadre) {
	t.Helper()
	same := map[string]int{}
	most := 0
	for _, s := range fake.Sent() {
		if s.To == zhou.key && strings.Contains(s.Text, "周勇") {
			same[s.Text]++
			most = max(most, same[s.Text])
		}
	}
	if guard := config.Defaults().Outbox.LoopGuard; most <= guard {
		t.Errorf("the 周勇 cadre got the same question at most %d times, want more than the repeat guard's %d", most, guard)
	}
}
