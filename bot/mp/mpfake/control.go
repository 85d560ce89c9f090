package mpfake

import "time"

// Sent returns what the fake accepted, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// OnSend sets a function called after each accepted message.
func (s *Server) OnSend(f func(Sent)) {
	s.mu.Lock()
	s.onSend = f
	s.mu.Unlock()
}

// SetClock makes the fake judge the 48-hour window by now (tests pass their fake clock).
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
}

// Scenes lists the scene values of the QR codes made so far.
func (s *Server) Scenes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.scenes...)
}

// FailCalls makes the next API calls (after the token check) answer these errcodes, one each.
func (s *Server) FailCalls(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, codes...)
}
