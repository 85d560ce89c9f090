package wecomfake

// Sent returns what the fake accepted through message/send, in order.
func (s *Server) Sent() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// OnSend sets a function called after each accepted message (the standalone fake prints them).
func (s *Server) OnSend(f func(Sent)) {
	s.mu.Lock()
	s.onSend = f
	s.mu.Unlock()
}

// TokenCalls counts gettoken requests.
func (s *Server) TokenCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenCalls
}

// Uploads counts media/upload requests.
func (s *Server) Uploads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.media)
}

// ExpireTokens makes every token issued so far expired (42001), as after two hours.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t := range s.tokens {
		s.tokens[t] = false
	}
}

// FailSends makes the next message/send calls answer these errcodes, one each; a 0 lets that call
// through (FailSends(0, -1): the first goes, the second fails).
func (s *Server) FailSends(codes ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = append(s.failNext, codes...)
}

// FailToken makes gettoken answer errcode code (0 stops it): 40001 wrong secret, 60020 untrusted IP.
func (s *Server) FailToken(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenFail = code
}

// TokenDown makes gettoken answer HTTP 503 while down is true.
func (s *Server) TokenDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenDown = down
}

// Invisible puts a member outside the app's visible range: message/send names them in invaliduser.
func (s *Server) Invisible(userid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invisible[userid] = true
}
