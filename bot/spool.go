package bot

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// Spool is the local file that keeps inbound messages while the database is unreachable: one JSON
// line per message, fsynced before the sender is told it was received. Replay stores them in order
// (the unique message id makes a replay after a crash harmless) and keeps only what failed again.
type Spool struct {
	path string

	mu      sync.Mutex
	pending bool // the file may hold messages not yet replayed
}

// OpenSpool uses dir/inbox.spool, creating dir; messages left by an earlier run are replayed too.
func OpenSpool(dir string) (*Spool, error) {
	if dir == "" {
		return nil, errors.New("spool: no directory configured (inbox.spool_dir)")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	s := &Spool{path: filepath.Join(dir, "inbox.spool")}
	if fi, err := os.Stat(s.path); err == nil && fi.Size() > 0 {
		s.pending = true
	}
	return s, nil
}

// Pending reports whether messages wait for replay; new messages queue behind them to keep order.
func (s *Spool) Pending() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending
}

// Append writes one message durably.
func (s *Spool) Append(m Message) error {
	line, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("spool: encode: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("spool: open: %w", err)
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		_ = f.Close()
		return fmt.Errorf("spool: write: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("spool: sync: %w", err)
	}
	s.pending = true
	return f.Close()
}

// Replay hands each spooled message to save in order and stops at the first failure; the saved
// ones are removed (the rest is rewritten atomically), so a message is never dropped unsaved.
func (s *Spool) Replay(ctx context.Context, save func(context.Context, Message) error) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs, err := s.read()
	if err != nil {
		return 0, err
	}
	done := 0
	var saveErr error
	for _, m := range msgs {
		if saveErr = save(ctx, m); saveErr != nil {
			break
		}
		done++
	}
	if err := s.rewrite(msgs[done:]); err != nil {
		return done, err
	}
	s.pending = done < len(msgs)
	return done, saveErr
}

func (s *Spool) read() ([]Message, error) {
	f, err := os.Open(s.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("spool: open: %w", err)
	}
	defer f.Close()
	var msgs []Message
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			var m Message
			if json.Unmarshal(line, &m) == nil {
				msgs = append(msgs, m)
			}
		} // a torn last line (crash mid-append) was never acknowledged, so it is dropped
		if errors.Is(err, io.EOF) {
			return msgs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("spool: read: %w", err)
		}
	}
}

func (s *Spool) rewrite(rest []Message) error {
	if len(rest) == 0 {
		if err := os.Remove(s.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("spool: truncate: %w", err)
		}
		return nil
	}
	tmp := s.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("spool: rewrite: %w", err)
	}
	w := bufio.NewWriter(f)
	for _, m := range rest {
		line, _ := json.Marshal(m)
		_, _ = w.Write(append(line, '\n'))
	}
	if err := errors.Join(w.Flush(), f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("spool: rewrite: %w", err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		return fmt.Errorf("spool: rewrite: %w", err)
	}
	return nil
}
