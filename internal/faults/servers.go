// Package faults holds qinqi's fault-injection tests (see faults_*_test.go and docs/BENCHMARKS.md):
// a database that dies mid-stream, Redis that goes away, `qinqi serve` killed mid-batch, a WeChat
// server that misbehaves. This file starts the private servers the tests break: their own mariadbd
// and redis-server on spare ports in temporary directories, never the shared ones on 3306 and 6379.
package faults

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql" // the admin connection that creates the test database
)

// Server is a private database or Redis process the test may kill and start again on the same
// data directory and port.
type Server struct {
	t    testing.TB
	name string
	Port int
	Dir  string
	argv []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	out  *lockedBuf
}

// lockedBuf collects a child's output, written by exec's copying goroutines.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// lookBin finds a server binary on PATH or in the usual Debian places; "" when absent.
func lookBin(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin"} {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

// sparePort asks the kernel for a free port on 127.0.0.1. Another process could take it before
// the server binds it; the start then fails loudly rather than silently testing something else.
func sparePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("spare port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StartMariaDB initialises a data directory with mariadb-install-db and starts mariadbd on it,
// or skips the test when the binaries are absent. Grant tables are skipped: the server listens
// on 127.0.0.1 only, for this test only, and the test connects as root without a password.
func StartMariaDB(t testing.TB) *Server {
	t.Helper()
	mysqld, install := lookBin("mariadbd"), lookBin("mariadb-install-db")
	if mysqld == "" || install == "" {
		t.Skip("skipping: mariadbd and mariadb-install-db are not installed (Debian package mariadb-server)")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	small := []string{"--innodb-log-file-size=8M", "--innodb-buffer-pool-size=32M"}
	args := append([]string{"--no-defaults", "--datadir=" + data, "--user=" + osUser(),
		"--auth-root-authentication-method=normal", "--skip-test-db"}, small...)
	if out, err := exec.Command(install, args...).CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v\n%s", err, out)
	}
	s := &Server{t: t, name: "mariadbd", Port: sparePort(t), Dir: dir}
	s.argv = append([]string{mysqld, "--no-defaults", "--datadir=" + data, "--user=" + osUser(),
		"--socket=" + filepath.Join(dir, "mysqld.sock"), "--pid-file=" + filepath.Join(dir, "mysqld.pid"),
		"--bind-address=127.0.0.1", "--port=" + strconv.Itoa(s.Port), "--skip-grant-tables",
		"--skip-log-bin", "--performance-schema=OFF", "--innodb-flush-log-at-trx-commit=1"}, small...)
	t.Cleanup(func() { s.Kill() })
	s.Start()
	return s
}

// osUser is the account mariadbd runs as: it refuses root unless told so explicitly, and CI runs
// as root.
func osUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "root"
}

// DSN is a go-sql-driver DSN for database db on this server.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("root@tcp(127.0.0.1:%d)/%s", s.Port, db)
}

// CreateDatabase makes a utf8mb4 database as production uses.
func (s *Server) CreateDatabase(name string) {
	s.t.Helper()
	db, err := sql.Open("mysql", s.DSN(""))
	if err != nil {
		s.t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		s.t.Fatalf("create database: %v", err)
	}
}

// StartRedis starts redis-server without persistence, or skips when it is not installed.
func StartRedis(t testing.TB) *Server {
	t.Helper()
	bin := lookBin("redis-server")
	if bin == "" {
		t.Skip("skipping: redis-server is not installed (Debian package redis-server)")
	}
	s := &Server{t: t, name: "redis-server", Port: sparePort(t), Dir: t.TempDir()}
	s.argv = []string{bin, "--bind", "127.0.0.1", "--port", strconv.Itoa(s.Port), "--dir", s.Dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no"}
	t.Cleanup(func() { s.Kill() })
	s.Start()
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// Start runs the server (again) and waits until it accepts connections.
func (s *Server) Start() {
	s.t.Helper()
	s.mu.Lock()
	if s.cmd != nil {
		s.mu.Unlock()
		s.t.Fatalf("%s is already running", s.name)
	}
	cmd := exec.Command(s.argv[0], s.argv[1:]...)
	out := &lockedBuf{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // never outlive the test binary
	if err := cmd.Start(); err != nil {
		s.mu.Unlock()
		s.t.Fatalf("start %s: %v", s.name, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.cmd, s.done, s.out = cmd, done, out
	s.mu.Unlock()
	s.waitReady(done)
}

// waitReady polls the port; the deadline only guards against a server that never comes up.
func (s *Server) waitReady(done chan struct{}) {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", s.Addr(), time.Second); err == nil {
			_ = c.Close()
			if s.name != "mariadbd" || s.pingSQL() == nil {
				return
			}
		}
		select {
		case <-done:
			s.t.Fatalf("%s exited during start:\n%s", s.name, s.output())
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("%s did not come up on %s:\n%s", s.name, s.Addr(), s.output())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *Server) pingSQL() error {
	db, err := sql.Open("mysql", s.DSN(""))
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return db.PingContext(ctx)
}

func (s *Server) output() string {
	s.mu.Lock()
	out := s.out
	s.mu.Unlock()
	if out == nil {
		return ""
	}
	return out.String()
}

// Kill stops the server with SIGKILL, as a crash or an OOM kill would, and waits for it to exit.
// Nothing is flushed on the way out: whatever survives is what the server had made durable.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-done
}

// BuildQinqi builds the qinqi binary from this module into a temporary directory, or skips the
// test when the go tool is not on PATH.
func BuildQinqi(t testing.TB) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipping: the go tool is not on PATH, so qinqi cannot be built")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "qinqi")
	cmd := exec.Command(goTool, "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// moduleRoot walks up from the working directory (the package's, under go test) to go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// Process is a qinqi subprocess.
type Process struct {
	t    testing.TB
	cmd  *exec.Cmd
	out  *lockedBuf
	done chan struct{}
	err  error // the exit status, once done is closed
}

// StartProcess runs bin with args in dir; its output is kept for Output.
func StartProcess(t testing.TB, bin, dir string, args ...string) *Process {
	t.Helper()
	p := &Process{t: t, cmd: exec.Command(bin, args...), out: &lockedBuf{}, done: make(chan struct{})}
	p.cmd.Dir = dir
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// Output is what the process wrote to stdout and stderr so far.
func (p *Process) Output() string { return p.out.String() }

// Kill sends SIGKILL and waits for the exit.
func (p *Process) Kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Wait waits for the process to end by itself (a minute at most) and returns its exit status.
func (p *Process) Wait() error {
	select {
	case <-p.done:
		return p.err
	case <-time.After(time.Minute):
		p.Kill()
		return fmt.Errorf("still running after a minute")
	}
}

// Stop sends SIGTERM, as an operator or systemd would, and returns the exit status; a process
// still running a minute later is killed and reported.
func (p *Process) Stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(time.Minute):
		p.Kill()
		return fmt.Errorf("still running a minute after SIGTERM")
	}
}
