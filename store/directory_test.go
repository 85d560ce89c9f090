package store_test

import (
	"context"
	"os"
	"testing"
	"time"

	"qinqi/internal/clock"
	"qinqi/internal/domain"
	"qinqi/internal/testenv"
	"qinqi/store"
)

// dirMode is where the two instances read their token: the database's generation row (the embedded
// default), or a KV both share (in-process here, standing in for Redis; real Redis when set).
type dirMode struct {
	name   string
	shared bool
	kv     func(t testing.TB) *store.KV
}

func dirModes() []dirMode {
	ms := []dirMode{{"generation-row", false, testenv.KV}, {"shared-kv", true, testenv.KV}}
	if os.Getenv(testenv.EnvRedis) != "" {
		ms = append(ms, dirMode{"redis", true, testenv.Redis})
	}
	return ms
}

// TestDirectoryAcrossInstances: two instances on one database and one KV, each with its sender
// cache. Whatever instance A writes — a bind, a relay, an import of people, households or
// pairings, a leave — instance B's next message reads, though B had the old answers cached.
func TestDirectoryAcrossInstances(t *testing.T) {
	for _, b := range testenv.Backends() {
		for _, m := range dirModes() {
			t.Run(b.Name+"/"+m.name, func(t *testing.T) {
				a, bst := b.OpenTwo(t)
				kv := m.kv(t)
				dirA, err := store.NewDirectory(a, kv, m.shared, nil)
				must(t, err)
				dirB, err := store.NewDirectory(bst, kv, m.shared, nil)
				must(t, err)
				checkDirectory(t, a, dirA, bst, dirB)
			})
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func checkDirectory(t *testing.T, a *store.Store, dirA *store.Directory, b *store.Store, dirB *store.Directory) {
	ctx := context.Background()
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, clock.Shanghai)
	cadre := domain.MakeRoles(domain.RoleCadre)
	must(t, a.UpsertPeople(ctx, []store.Person{{Code: "C1", Name: "甲", Roles: cadre}, {Code: "C2", Name: "乙", Roles: cadre},
		{Code: "K", Name: "协调员", Roles: domain.MakeRoles(domain.RoleCoordinator)}}, nil))
	must(t, a.UpsertHouseholds(ctx, []store.Household{{Code: "H1", HeadName: "王春发"}, {Code: "H2", HeadName: "李梅"}}, nil))
	ps, err := a.PeopleByCodes(ctx, []string{"C1", "C2", "K"})
	must(t, err)
	hs, err := a.HouseholdsByCodes(ctx, []string{"H1", "H2"})
	must(t, err)
	c1, c2, coord := ps["C1"].ID, ps["C2"].ID, ps["K"].ID
	must(t, a.UpsertPairings(ctx, []store.Pairing{{Code: "P1", CadreID: c1, HouseholdID: hs["H1"].ID, StartOn: clock.Date(2026, 1, 1)}}))
	key := store.ChatIdentity{Transport: "wechat", Account: "bot1", ExternalKey: "wxid_1", PersonID: c1}
	must(t, a.BindChatIdentity(ctx, key, now))

	// B's message reads, then reads again from its cache.
	msgB := func() context.Context { return dirB.Begin(ctx) }
	who := func(c context.Context) domain.PersonID {
		t.Helper()
		id, err := b.PersonByChatKey(c, "wechat", "bot1", "wxid_1")
		must(t, err)
		return id
	}
	homes := func(c context.Context, cadre domain.PersonID, at time.Time) []string {
		t.Helper()
		hh, err := b.HouseholdsOfCadre(c, cadre, at)
		must(t, err)
		var out []string
		for _, h := range hh {
			out = append(out, h.Household.HeadName)
		}
		return out
	}
	for range 2 {
		c := msgB()
		if got := who(c); got != c1 {
			t.Fatalf("wxid_1 is %d, want C1 %d", got, c1)
		}
		if got := homes(c, c1, now); len(got) != 1 || got[0] != "王春发" {
			t.Fatalf("C1's households %v", got)
		}
	}
	if hits, _ := dirB.Stats(); hits < 2 {
		t.Fatalf("B answered %d reads from its cache, want the second message's two", hits)
	}

	// relay on A: B's next message sees C1 without and C2 with the household
	if _, err := a.RelayPairings(ctx, store.Relay{From: c1, To: c2, Actor: coord, At: now}, nil); err != nil {
		t.Fatal(err)
	}
	c := msgB()
	if got := homes(c, c1, now.Add(time.Minute)); len(got) != 0 {
		t.Errorf("after the relay on A, B still lists %v for C1", got)
	}
	if got := homes(c, c2, now.Add(time.Minute)); len(got) != 1 || got[0] != "王春发" {
		t.Errorf("after the relay on A, B lists %v for C2", got)
	}

	// bind on A: the key now belongs to C2
	must(t, a.BindChatIdentity(ctx, store.ChatIdentity{Transport: "wechat", Account: "bot1", ExternalKey: "wxid_1", PersonID: c2}, now))
	if got := who(msgB()); got != c2 {
		t.Errorf("after the bind on A, B says wxid_1 is %d, want C2 %d", got, c2)
	}

	// import on A: a renamed person, a renamed household head, a new pairing
	c = msgB()
	if p, err := b.PersonByID(c, c2); err != nil || p.Name != "乙" {
		t.Fatalf("C2 is %+v, %v", p, err)
	}
	must(t, a.UpsertPeople(ctx, []store.Person{{Code: "C2", Name: "乙二", Roles: cadre}}, nil))
	must(t, a.UpsertHouseholds(ctx, []store.Household{{Code: "H1", HeadName: "王春华"}}, nil))
	must(t, a.UpsertPairings(ctx, []store.Pairing{{Code: "P2", CadreID: c2, HouseholdID: hs["H2"].ID, StartOn: clock.Date(2026, 11, 21)}}))
	c = msgB()
	if p, err := b.PersonByID(c, c2); err != nil || p.Name != "乙二" {
		t.Errorf("after the people import on A, B reads C2 as %q (%v)", p.Name, err)
	}
	if got := homes(c, c2, now.Add(time.Minute)); len(got) != 1 || got[0] != "王春华" {
		t.Errorf("after the households import on A, B lists %v for C2 today", got)
	}
	// the new pairing starts tomorrow: the same cached answer lists it from then on
	if got := homes(c, c2, clock.Date(2026, 11, 21).Add(time.Hour)); len(got) != 2 || got[1] != "李梅" {
		t.Errorf("tomorrow B lists %v for C2, want 王春华 and 李梅", got)
	}

	// leave on A: read by B's next message (leaves are never cached)
	_, err = a.AddLeaveBy(ctx, store.Leave{PersonID: c2, FromOn: clock.Date(2026, 11, 20), ToOn: clock.Date(2026, 11, 30)}, coord, now)
	must(t, err)
	if on, err := b.OnLeave(msgB(), c2, clock.Date(2026, 11, 25)); err != nil || !on {
		t.Errorf("after the leave on A, B says C2 on leave %v (%v)", on, err)
	}

	// B's own write in the middle of a message is read by the rest of that message
	c = msgB()
	_ = who(c)
	must(t, b.BindChatIdentity(ctx, store.ChatIdentity{Transport: "wechat", Account: "bot1", ExternalKey: "wxid_1", PersonID: c1}, now))
	if got := who(c); got != c1 {
		t.Errorf("after its own bind, B's message still reads wxid_1 as %d", got)
	}
	// and A's next message reads it too
	if id, err := a.PersonByChatKey(dirA.Begin(ctx), "wechat", "bot1", "wxid_1"); err != nil || id != c1 {
		t.Errorf("after the bind on B, A reads wxid_1 as %d (%v)", id, err)
	}
}

// The messages of one inbound batch share the token its first message read: a change told by
// another instance during the batch is seen by the next batch, not by the batch's later messages.
func TestDirectoryTokenOncePerBatch(t *testing.T) {
	for _, b := range testenv.Backends() {
		for _, m := range dirModes() {
			if !m.shared {
				continue // the generation row changes only with a write, which waits for the batch
			}
			t.Run(b.Name+"/"+m.name, func(t *testing.T) {
				st, kv, ctx := b.Open(t), m.kv(t), context.Background()
				dir, err := store.NewDirectory(st, kv, true, nil)
				must(t, err)
				must(t, st.UpsertPeople(ctx, []store.Person{{Code: "C1", Name: "甲", Roles: domain.MakeRoles(domain.RoleCadre)}}, nil))
				c1, err := st.PersonByCode(ctx, "C1")
				must(t, err)
				read := func(ctx context.Context) error {
					_, err := st.PersonByID(dir.Begin(ctx), c1.ID)
					return err
				}
				must(t, st.Batch(ctx, func(ctx context.Context) error {
					must(t, read(ctx))
					must(t, store.TellDirectoryForTest(context.Background(), kv))
					return read(ctx)
				}))
				if hits, misses := dir.Stats(); hits != 1 || misses != 1 {
					t.Errorf("in the batch: %d hits, %d misses; want the second message answered from the cache", hits, misses)
				}
				must(t, read(ctx))
				if hits, misses := dir.Stats(); hits != 1 || misses != 2 {
					t.Errorf("after the batch: %d hits, %d misses; want the told change read again", hits, misses)
				}
			})
		}
	}
}

// Known guesses the person behind a chat key from what a message read, without asking anyone, and
// still after another instance moved the token (a bind anywhere); a key never read is not guessed.
func TestDirectoryKnownOutlivesTheToken(t *testing.T) {
	st, kv, ctx := testenv.SQLite(t), testenv.KV(t), context.Background()
	dir, err := store.NewDirectory(st, kv, true, nil)
	must(t, err)
	must(t, st.UpsertPeople(ctx, []store.Person{{Code: "C1", Name: "甲", Roles: domain.MakeRoles(domain.RoleCadre)}}, nil))
	c1, err := st.PersonByCode(ctx, "C1")
	must(t, err)
	must(t, st.BindChatIdentity(ctx, store.ChatIdentity{Transport: "fake", Account: "a1", ExternalKey: "@u1", PersonID: c1.ID}, time.Now()))
	if _, ok := dir.Known("fake", "a1", "@u1"); ok {
		t.Fatal("a chat key nobody read is guessed")
	}
	if _, err := st.PersonByChatKey(dir.Begin(ctx), "fake", "a1", "@u1"); err != nil {
		t.Fatal(err)
	}
	must(t, store.TellDirectoryForTest(ctx, kv))
	_ = dir.Begin(ctx) // reads the moved token: the cache starts again
	if p, ok := dir.Known("fake", "a1", "@u1"); !ok || p != int64(c1.ID) {
		t.Errorf("Known after the token moved = %d, %v; want %d", p, ok, c1.ID)
	}
	if keys := dir.AheadKeys(); len(keys) != 1 {
		t.Errorf("AheadKeys of a directory on a shared KV = %q, want its token", keys)
	}
}
