package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"qinqi/bot"
	"qinqi/bot/wechat"
	"qinqi/internal/clock"
	"qinqi/internal/config"
	"qinqi/internal/domain"
	"qinqi/internal/pii"
	"qinqi/store"
)

// runStatus prints each WeChat account's health (as published by a running serve through Redis)
// and the outbox by account and status. It always exits 0: it reports, it does not judge.
func runStatus(ctx context.Context, args []string, io IO) error {
	var c common
	fs := newFlags("status", "[-config FILE] [-db FILE]", io)
	c.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, s, err := c.openDB(ctx, io, false)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := requireSchema(ctx, s); err != nil {
		return err
	}
	kv, err := openKV(ctx, cfg)
	if err != nil {
		return err
	}
	defer kv.Close()
	now := clock.Real{}.Now()
	if err := printOfficialHealth(ctx, io.Out, cfg, kv, s, now); err != nil {
		return err
	}
	fmt.Fprintln(io.Out)
	if err := printWeChatHealth(ctx, io.Out, cfg, kv, s, now); err != nil {
		return err
	}
	if err := printOutbox(ctx, io.Out, s, now); err != nil {
		return err
	}
	if err := printHeld(ctx, io.Out, s); err != nil {
		return err
	}
	return printInbox(ctx, io.Out, s, now)
}

func printWeChatHealth(ctx context.Context, out io.Writer, cfg config.Config, kv *store.KV, s *store.Store, now time.Time) error {
	fmt.Fprintln(out, "WeChat accounts")
	if len(cfg.WeChat.Accounts) == 0 {
		fmt.Fprintln(out, "  none configured (wechat.accounts)")
		return nil
	}
	if kv.InProcess() {
		fmt.Fprintln(out, "  Redis is not configured (in-process KV): a running `qinqi serve` keeps its account")
		fmt.Fprintln(out, "  health to itself, so none can be shown here. Set redis.addr to share it.")
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ACCOUNT\tSTATE\tSINCE\tLAST SYNC\tLOGINS\tBOUND FRIENDS")
	var notes []string
	for _, a := range cfg.WeChat.Accounts {
		bound, err := s.CountChatIdentities(ctx, "wechat", a.Name)
		if err != nil {
			return err
		}
		raw, err := kv.Get(ctx, wechat.HealthKey(a.Name))
		if errors.Is(err, store.ErrNotFound) {
			fmt.Fprintf(tw, "  %s\tno report\t-\t-\t-\t%d\n", a.Name, bound)
			continue
		}
		if err != nil {
			return err
		}
		var h wechat.Health
		if err := json.Unmarshal([]byte(raw), &h); err != nil {
			fmt.Fprintf(tw, "  %s\tunreadable report\t-\t-\t-\t%d\n", a.Name, bound)
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\t%d\n", a.Name, h.State, stamp(h.Since, now), stamp(h.LastSync, now), h.Logins, bound)
		if h.QRURL != "" {
			notes = append(notes, fmt.Sprintf("  %s waits for a QR scan: %s", a.Name, h.QRURL))
		}
		if h.LastError != "" {
			notes = append(notes, fmt.Sprintf("  %s last error: %s", a.Name, h.LastError))
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(out, n)
	}
	fmt.Fprintln(out, "  (no report: serve is not running for that account, or has not reported for a while)")
	return nil
}

// stamp shows a time with how long ago it was.
func stamp(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	ago := now.Sub(t).Round(time.Second)
	if ago < 0 {
		ago = 0
	}
	return fmt.Sprintf("%s (%s ago)", t.In(now.Location()).Format("01-02 15:04:05"), ago)
}

func printOutbox(ctx context.Context, out io.Writer, s *store.Store, now time.Time) error {
	counts, err := s.OutboxCounts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\nOutbox")
	if len(counts) == 0 {
		fmt.Fprintln(out, "  empty")
		return nil
	}
	byAccount := map[string]map[store.OutboxStatus]int64{}
	var failed int64
	for _, c := range counts {
		if byAccount[c.Account] == nil {
			byAccount[c.Account] = map[store.OutboxStatus]int64{}
		}
		byAccount[c.Account][c.Status] += c.N
		if c.Status == store.OutFailed {
			failed += c.N
		}
	}
	accounts := make([]string, 0, len(byAccount))
	for a := range byAccount {
		accounts = append(accounts, a)
	}
	sort.Strings(accounts)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ACCOUNT\tPENDING\tSENDING\tSENT\tFAILED")
	for _, a := range accounts {
		m := byAccount[a]
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%d\t%d\n", a, m[store.OutPending], m[store.OutSending], m[store.OutSent], m[store.OutFailed])
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "  permanent failures: %d\n", failed)
	if err := printFailed(ctx, out, s, failed, now); err != nil {
		return err
	}
	return printInterrupted(ctx, out, s, now)
}

// failedShown caps the permanent failures listed.
const failedShown = 50

// printFailed lists the newest messages that failed for good, each with its recipient (code and
// name, never a phone or ID number), what it was and why: nothing sends them again, so someone has
// to reach those people another way.
func printFailed(ctx context.Context, out io.Writer, s *store.Store, total int64, now time.Time) error {
	if total == 0 {
		return nil
	}
	rows, err := s.FailedOutbox(ctx, failedShown)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  the newest %d of them; nothing sends them again, so reach these people another way:\n", len(rows))
	names := recipients{}
	for _, r := range rows {
		to, err := names.label(ctx, s, r)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "    #%d %s to %s, %s (%s), queued %s: %s\n", r.ID, r.Account, to, outboxWhat(r.Key), r.Key,
			stamp(r.CreatedAt, now), pii.Mask(r.LastError))
	}
	return nil
}

// recipients caches the labels of the people messages went to.
type recipients map[domain.PersonID]string

// label names a message's recipient by person code and name, or says what kind of chat it was.
func (rs recipients) label(ctx context.Context, s *store.Store, r store.OutboxMessage) (string, error) {
	if r.PersonID == nil {
		if strings.HasPrefix(r.ToKey, "@@") {
			return "a group chat", nil
		}
		return "an unbound sender", nil
	}
	if l, ok := rs[*r.PersonID]; ok {
		return l, nil
	}
	p, err := s.PersonByID(ctx, *r.PersonID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		rs[*r.PersonID] = fmt.Sprintf("person %d (deleted)", *r.PersonID)
	case err != nil:
		return "", err
	default:
		rs[*r.PersonID] = p.Code + " " + p.Name
	}
	return rs[*r.PersonID], nil
}

// outboxWhat says in a few words what kind of message an outbox key stands for.
func outboxWhat(key string) string {
	if _, question, ok := bot.ReportReply(key); ok {
		if question {
			return "the question a report waits for"
		}
		return "the reply to a saved report"
	}
	switch {
	case strings.HasPrefix(key, "reply:"):
		return "a reply to their message"
	case strings.HasPrefix(key, "lost:"):
		return "a notice of a lost reply"
	case strings.Contains(key, ":request:"):
		return "a request notice"
	}
	return "a message qinqi started"
}

// printInterrupted lists messages whose sender stopped mid-send (see store.OutSending): qinqi
// sends each message at most once, so these wait for a person to decide.
func printInterrupted(ctx context.Context, out io.Writer, s *store.Store, now time.Time) error {
	rows, err := s.InterruptedOutbox(ctx, now, 50)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return nil
	}
	more := ""
	if len(rows) == 50 {
		more = " or more (the oldest 50)"
	}
	fmt.Fprintf(out, "  interrupted sends: %d%s. Their sender stopped during the send, so nobody knows whether they\n", len(rows), more)
	fmt.Fprintln(out, "  arrived; qinqi sends each message at most once. Ask the recipient, and send again by hand if needed.")
	names := recipients{}
	for _, r := range rows {
		to, err := names.label(ctx, s, r)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "    #%d %s key %s to %s, lease ended %s\n", r.ID, r.Account, r.Key, to, stamp(r.NextAttemptAt, now))
	}
	return nil
}

// quarantineShown caps the quarantined messages listed.
const quarantineShown = 20

// printInbox shows how many inbound messages wait for a retry and lists the quarantined ones:
// handled for good without success (the database refused their data on every try, or a handler
// panicked). Their senders were told nothing was recorded; the list is for someone to look into.
func printInbox(ctx context.Context, out io.Writer, s *store.Store, now time.Time) error {
	waiting, err := s.CountInbox(ctx, store.InNew)
	if err != nil {
		return err
	}
	failed, err := s.CountInbox(ctx, store.InFailed)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nInbox\n  waiting for a retry: %d\n  quarantined: %d\n", waiting, failed)
	if failed == 0 {
		return nil
	}
	rows, err := s.FailedInbox(ctx, quarantineShown)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "  the newest %d; each sender was told the message was not recorded:\n", len(rows))
	for _, r := range rows {
		from := "an unbound sender"
		if r.PersonID != nil {
			from = fmt.Sprintf("person %d", *r.PersonID)
		}
		fmt.Fprintf(out, "    #%d %s %s from %s, received %s, %d tries: %s\n", r.ID, r.Account, r.Kind, from,
			stamp(r.ReceivedAt, now), r.Attempts, r.Error)
	}
	return nil
}
