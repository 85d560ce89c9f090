package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"qinqi/internal/domain"
)

// Directory caches, in the process, what every message reads about its sender and changes only
// through rare writes: the person behind a chat key, the person's row and a cadre's households.
// A message sees it through the context Begin returns; every other read goes to the database.
//
// Begin reads one token per message. With a shared KV (Redis) the token is a random value that
// every instance sets after committing a write to the directory tables; without one (the embedded
// default's in-process KV, which a `qinqi import` run as another process cannot reach) the token is
// the database's generation row, moved inside the writing transaction. An entry is used only under
// the token that was read before it was fetched, and only if this process wrote nothing to the
// directory since, so a change committed before a message's Begin is never answered from an
// older entry. A random token cannot come back after a Redis restart the way a counter would; an
// unreachable KV bypasses the cache; and a change whose token could not be set (Redis failed right
// after the commit) is set again at this instance's next message, while entries older than
// dirMaxAge are read again anyway.
type Directory struct {
	st  *Store
	kv  *KV // nil: the token is the database's generation row
	log *slog.Logger

	local  atomic.Uint64 // directory writes committed by this process
	told   atomic.Uint64 // of those, how many the KV token reflects
	hits   atomic.Uint64
	misses atomic.Uint64

	mu     sync.Mutex
	token  string
	keys   map[chatKey]cached[domain.PersonID]
	people map[domain.PersonID]cached[Person]
	homes  map[domain.PersonID]cached[cadreHomes]
	// guesses are the persons last read behind chat keys, kept across tokens: Known's answers
	guesses map[chatKey]domain.PersonID
}

type chatKey struct{ transport, account, key string }

// cadreHomes are a cadre's pairings not ended at from, started or not: HouseholdsOfCadre at any
// later moment is a filter of them.
type cadreHomes struct {
	from time.Time
	rows []PairedHousehold
}

type cached[T any] struct {
	val   T
	token string
	local uint64
	at    time.Time
}

// dirView is one message's token.
type dirView struct {
	d     *Directory
	token string
}

type dirCtxKey struct{}

const (
	dirKVKey      = "directory:token"
	dirMaxAge     = time.Minute
	dirMaxEntries = 100_000 // per map; a full map starts again empty
)

// NewDirectory caches st's directory for the messages of this process and makes st's directory
// writes invalidate it. With shared set, kv carries the token between instances (Redis); without,
// the token is read from the database. A process that only writes (qinqi import) uses one too, so
// running instances hear of its changes.
func NewDirectory(st *Store, kv *KV, shared bool, log *slog.Logger) (*Directory, error) {
	if log == nil {
		log = slog.Default()
	}
	d := &Directory{st: st, log: log.With("component", "directory"), guesses: map[chatKey]domain.PersonID{}}
	if shared {
		d.kv = kv
	}
	d.reset("")
	fn := d.changed
	st.watch.changed.Store(&fn)
	return d, nil
}

func (d *Directory) reset(token string) {
	d.token = token
	d.keys = map[chatKey]cached[domain.PersonID]{}
	d.people = map[domain.PersonID]cached[Person]{}
	d.homes = map[domain.PersonID]cached[cadreHomes]{}
}

// Begin reads the token for one message and returns the context its reads use; when the token
// cannot be read the message reads the database. The messages of one inbound batch share the token
// its first message read, or the batch read ahead of its transaction (KV.ReadAhead, AheadKeys): they
// are handled within milliseconds of one another and commit together, so a change another instance
// tells meanwhile reaches the next batch as it would a message a moment later, and the batch's own
// directory writes bypass the cache anyway (DirectoryWritten, local).
func (d *Directory) Begin(ctx context.Context) context.Context {
	b, _ := ctx.Value(batchKey{}).(*batch)
	if v := batchView(b); v != nil && v.d == d {
		return context.WithValue(ctx, dirCtxKey{}, v)
	}
	if d.kv != nil && d.told.Load() < d.local.Load() {
		d.tell(ctx)
	}
	tok, err := d.current(ctx)
	if err != nil {
		d.log.Debug("directory cache bypassed", "err", err)
		return ctx
	}
	d.mu.Lock()
	if tok != d.token {
		d.reset(tok)
	}
	d.mu.Unlock()
	v := &dirView{d: d, token: tok}
	if b != nil {
		b.dir.Store(v)
	}
	return context.WithValue(ctx, dirCtxKey{}, v)
}

func batchView(b *batch) *dirView {
	if b == nil {
		return nil
	}
	return b.dir.Load()
}

func (d *Directory) current(ctx context.Context) (string, error) {
	if d.kv == nil {
		// Through the message's batch when it has one: asking the pool for a second connection
		// while the batch holds SQLite's write lock waited for the connections of batches queued
		// behind that lock, each message for the busy timeout (10 s).
		var n int64
		row := d.st.q(ctx).Statement.ConnPool.QueryRowContext(ctx, "SELECT n FROM directory_generations WHERE id = 1")
		if err := row.Scan(&n); err != nil {
			return "", fmt.Errorf("directory generation: %w", err)
		}
		return strconv.FormatInt(n, 10), nil
	}
	tok, err := d.kv.Get(ctx, dirKVKey) // a batch's read ahead, or Redis
	if !errors.Is(err, ErrNotFound) {
		return tok, err
	}
	if _, err := d.kv.Claim(ctx, dirKVKey, newToken(), 0); err != nil { // first instance, or Redis lost it
		return "", err
	}
	return d.kv.stored(ctx, dirKVKey) // not the absence the batch read ahead
}

// AheadKeys are the KV keys Begin reads, for a batch to read ahead of its transaction (KV.ReadAhead,
// on this directory's KV): the token, when the KV carries it.
func (d *Directory) AheadKeys() []string {
	if d.kv == nil {
		return nil
	}
	return []string{dirKVKey}
}

// Known is the person last read behind a chat key, under whatever token, without asking the KV or
// the database: a guess of a batch's senders before it has read the token (their dialogs are read
// ahead; a wrong guess only reads a key nobody asks for). A token moves at every bind anywhere, and
// a chat key's person seldom changes, so the guesses outlive the tokens.
func (d *Directory) Known(transport, account, key string) (int64, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	p, ok := d.guesses[chatKey{transport, account, key}]
	return int64(p), ok
}

func (d *Directory) guessed(k chatKey, p domain.PersonID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.guesses) >= dirMaxEntries {
		clear(d.guesses)
	}
	d.guesses[k] = p
}

// changed runs after this process committed a directory write.
func (d *Directory) changed() {
	d.local.Add(1)
	if d.kv != nil {
		d.tell(context.Background())
	}
}

// tell sets a fresh token, so every instance's next message reads the directory again.
func (d *Directory) tell(ctx context.Context) {
	want := d.local.Load()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := d.kv.Set(ctx, dirKVKey, newToken(), 0); err != nil {
		d.log.Warn("directory change not told to other instances; told at the next message, read again within a minute anyway", "err", err)
		return
	}
	for {
		had := d.told.Load()
		if had >= want || d.told.CompareAndSwap(had, want) {
			return
		}
	}
}

// Stats counts the reads answered from the cache and those that went to the database.
func (d *Directory) Stats() (hits, misses uint64) { return d.hits.Load(), d.misses.Load() }

func newToken() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// view is the message's token when s may answer from the cache: the context came from Begin of
// this store's directory and s is not bound to a transaction.
func (s *Store) view(ctx context.Context) *dirView {
	if s.inTx {
		return nil
	}
	v, _ := ctx.Value(dirCtxKey{}).(*dirView)
	if v == nil || v.d.st.watch != s.watch {
		return nil
	}
	return v
}

// load answers k from m when its entry was fetched under v's token, before any directory write of
// this process, within dirMaxAge, and fits; otherwise it fetches and keeps the answer.
func load[K comparable, T any](v *dirView, m func(*Directory) map[K]cached[T], k K, fits func(T) bool, fetch func() (T, error)) (T, error) {
	d := v.d
	local := d.local.Load()
	d.mu.Lock()
	e, ok := m(d)[k]
	d.mu.Unlock()
	if ok && e.token == v.token && e.local == local && time.Since(e.at) < dirMaxAge && fits(e.val) {
		d.hits.Add(1)
		return e.val, nil
	}
	d.misses.Add(1)
	at := time.Now()
	val, err := fetch()
	if err != nil {
		return val, err
	}
	d.mu.Lock()
	if d.token == v.token {
		mm := m(d)
		if len(mm) >= dirMaxEntries {
			clear(mm)
		}
		mm[k] = cached[T]{val: val, token: v.token, local: local, at: at}
	}
	d.mu.Unlock()
	return val, nil
}

func always[T any](T) bool { return true }

func (s *Store) cachedPersonByChatKey(v *dirView, ctx context.Context, transport, account, key string) (domain.PersonID, error) {
	k := chatKey{transport, account, key}
	return load(v, func(d *Directory) map[chatKey]cached[domain.PersonID] { return d.keys }, k,
		always[domain.PersonID], func() (domain.PersonID, error) {
			p, err := s.personByChatKey(ctx, transport, account, key)
			if err == nil {
				v.d.guessed(k, p)
			}
			return p, err
		})
}

func (s *Store) cachedPersonByID(v *dirView, ctx context.Context, id domain.PersonID) (Person, error) {
	return load(v, func(d *Directory) map[domain.PersonID]cached[Person] { return d.people }, id,
		always[Person], func() (Person, error) { return one[Person](s, ctx, "id = ?", id) })
}

func (s *Store) cachedHouseholdsOfCadre(v *dirView, ctx context.Context, cadre domain.PersonID, at time.Time) ([]PairedHousehold, error) {
	h, err := load(v, func(d *Directory) map[domain.PersonID]cached[cadreHomes] { return d.homes }, cadre,
		func(h cadreHomes) bool { return !at.Before(h.from) },
		func() (cadreHomes, error) {
			rows, err := s.householdsOfCadre(ctx, cadre, at, false)
			return cadreHomes{from: at, rows: rows}, err
		})
	if err != nil {
		return nil, err
	}
	out := make([]PairedHousehold, 0, len(h.rows))
	for _, r := range h.rows {
		if r.Pairing.Active(at) {
			out = append(out, r)
		}
	}
	return out, nil
}
