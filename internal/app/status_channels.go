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

	"qinqi/bot/wxofficial"
	"qinqi/internal/config"
	"qinqi/store"
)

// printOfficialHealth shows each official channel's report as a running serve published it, with
// the one-line fix for errors only an administrator can solve (60020, 81013, 40001 …).
func printOfficialHealth(ctx context.Context, out io.Writer, cfg config.Config, kv *store.KV, s *store.Store, now time.Time) error {
	type acct struct{ transport, name string }
	var accts []acct
	if cfg.WeCom.On() {
		accts = append(accts, acct{"wecom", cfg.WeCom.Name})
	}
	if cfg.MP.On() {
		accts = append(accts, acct{"mp", cfg.MP.Name})
	}
	fmt.Fprintln(out, "Official channels (WeCom / 政务微信, 服务号)")
	if len(accts) == 0 {
		fmt.Fprintln(out, "  none configured (wecom.corp_id, mp.app_id)")
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  ACCOUNT\tCHANNEL\tHOST\tSTATE\tSINCE\tLAST OK\tLAST CALLBACK\tBOUND")
	var notes []string
	for _, a := range accts {
		bound, err := s.CountChatIdentities(ctx, a.transport, a.name)
		if err != nil {
			return err
		}
		h, err := readHealth(ctx, kv, a.name)
		if err != nil {
			fmt.Fprintf(tw, "  %s\t%s\t-\t%s\t-\t-\t-\t%d\n", a.name, a.transport, err, bound)
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", a.name, a.transport, h.Host, h.State, stamp(h.Since, now),
			stamp(h.LastOK, now), stamp(h.LastCallback, now), bound)
		notes = append(notes, healthNotes(h, now)...)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		fmt.Fprintln(out, n)
	}
	return nil
}

func readHealth(ctx context.Context, kv *store.KV, account string) (wxofficial.Health, error) {
	var h wxofficial.Health
	raw, err := kv.Get(ctx, wxofficial.HealthKey(account))
	if errors.Is(err, store.ErrNotFound) {
		return h, errors.New("no report (serve not running for it)")
	}
	if err != nil {
		return h, err
	}
	if json.Unmarshal([]byte(raw), &h) != nil {
		return h, errors.New("unreadable report")
	}
	return h, nil
}

func healthNotes(h wxofficial.Health, now time.Time) []string {
	var notes []string
	if h.LastError != "" {
		notes = append(notes, fmt.Sprintf("  %s last error: %s", h.Account, h.LastError))
	}
	if h.Fix != "" {
		notes = append(notes, fmt.Sprintf("  %s fix: %s", h.Account, h.Fix))
	}
	if h.State == wxofficial.StateBackoff && h.BackoffUntil.After(now) {
		notes = append(notes, fmt.Sprintf("  %s paused until %s", h.Account, stamp(h.BackoffUntil, now)))
	}
	return notes
}

// printHeld lists messages a channel holds, grouped by account and reason (a 服务号 household
// outside its 48-hour window with no template for the message).
func printHeld(ctx context.Context, out io.Writer, s *store.Store) error {
	rows, err := s.HeldOutbox(ctx, 10000)
	if err != nil || len(rows) == 0 {
		return err
	}
	groups := map[string]int{}
	who := map[string][]string{}
	names := recipients{}
	for _, r := range rows {
		k := r.Account + "\t" + strings.TrimPrefix(r.LastError, "held: ")
		groups[k]++
		if len(who[k]) < heldNamesShown {
			to, err := names.label(ctx, s, r)
			if err != nil {
				return err
			}
			who[k] = append(who[k], to)
		}
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(out, "  held: %d message(s) the channel cannot send yet; they go out when it can (or fail after mp.hold_max):\n", len(rows))
	for _, k := range keys {
		acct, reason, _ := strings.Cut(k, "\t")
		fmt.Fprintf(out, "    %s: %d — %s\n", acct, groups[k], reason)
		more := ""
		if n := groups[k] - len(who[k]); n > 0 {
			more = fmt.Sprintf(" and %d more", n)
		}
		fmt.Fprintf(out, "      to %s%s\n", strings.Join(who[k], ", "), more)
	}
	return nil
}

// heldNamesShown caps the recipients named per group of held messages.
const heldNamesShown = 10
