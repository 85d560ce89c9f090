package bot_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"qinqi/bot"
)

func TestSpool(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	sp, err := bot.OpenSpool(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"a", "b", "c"} {
		if err := sp.Append(bot.Message{ID: id, Text: "内容" + id}); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("a torn last line (crash mid-append) is dropped, the rest kept", func(t *testing.T) {
		f, _ := os.OpenFile(filepath.Join(dir, "inbox.spool"), os.O_APPEND|os.O_WRONLY, 0)
		_, _ = f.WriteString(`{"ID":"torn","Te`)
		_ = f.Close()
		reopened, err := bot.OpenSpool(dir)
		if err != nil || !reopened.Pending() {
			t.Fatalf("reopened pending=%v err=%v", reopened.Pending(), err)
		}
	})
	t.Run("replay stops at the first failure and keeps the rest in order", func(t *testing.T) {
		var saved []string
		n, err := sp.Replay(ctx, func(_ context.Context, m bot.Message) error {
			if m.ID == "b" {
				return errors.New("down")
			}
			saved = append(saved, m.ID)
			return nil
		})
		if n != 1 || err == nil || !slices.Equal(saved, []string{"a"}) || !sp.Pending() {
			t.Fatalf("n=%d err=%v saved=%v pending=%v", n, err, saved, sp.Pending())
		}
		saved = nil
		n, err = sp.Replay(ctx, func(_ context.Context, m bot.Message) error { saved = append(saved, m.ID+m.Text); return nil })
		if n != 2 || err != nil || !slices.Equal(saved, []string{"b内容b", "c内容c"}) || sp.Pending() {
			t.Fatalf("n=%d err=%v saved=%v pending=%v", n, err, saved, sp.Pending())
		}
		if _, err := os.Stat(filepath.Join(dir, "inbox.spool")); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("spool file left: %v", err)
		}
	})
	t.Run("no directory is an error", func(t *testing.T) {
		if _, err := bot.OpenSpool(""); err == nil {
			t.Fatal("want an error")
		}
	})
}
