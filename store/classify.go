package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"
)

// ErrData marks an error the database raised because of what a statement carried; wrap it to
// say so where the driver's own error is not at hand (a test's fake store, a check of our own).
var ErrData = errors.New("store: the database refused the data")

// IsDataError reports whether the database refused a statement for the data in it: a value too
// long for its column, not valid in the column's character set or out of range, or a constraint
// (unique, foreign key, not null, check; an ErrDuplicate the caller did not expect). Sending the
// same data again fails the same way, so the caller should give up on it rather than wait for the
// database. Both supported databases are recognised (MySQL/MariaDB by error number, SQLite by
// result code).
func IsDataError(err error) bool {
	if err == nil {
		return false
	}
	for _, target := range []error{ErrData, ErrDuplicate, gorm.ErrDuplicatedKey, gorm.ErrForeignKeyViolated,
		gorm.ErrCheckConstraintViolated, mysql.ErrPktTooLarge} {
		if errors.Is(err, target) {
			return true
		}
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return mysqlData[me.Number]
	}
	if code, ok := sqliteCode(err); ok {
		return sqliteData[code&0xff]
	}
	return false
}

// IsOutage reports whether err says the database cannot do any work right now, whatever the
// statement: unreachable, connection lost, server shutting down or read-only, busy or locked,
// disk full, or a schema or grant the operator must fix. Such a failure is never the data's
// fault, so the caller keeps the data and tries again later.
func IsOutage(err error) bool {
	if err == nil || IsDataError(err) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, sql.ErrConnDone) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return mysqlOutage[me.Number]
	}
	if code, ok := sqliteCode(err); ok {
		return sqliteOutage[code&0xff]
	}
	return false
}

// mysqlData are the MySQL/MariaDB server errors about a statement's values.
var mysqlData = map[uint16]bool{
	1048: true, // column cannot be null
	1062: true, // duplicate entry
	1264: true, // out of range value
	1265: true, // data truncated
	1292: true, // incorrect date/time value
	1300: true, // invalid character string
	1364: true, // field has no default value
	1366: true, // incorrect string value (not valid in the column's character set)
	1367: true, // illegal value for the type
	1406: true, // data too long for column
	1451: true, // foreign key: a child row refers to it
	1452: true, // foreign key: no parent row
	1690: true, // value out of range in an expression
	3819: true, // check constraint (MySQL)
	4025: true, // check constraint (MariaDB)
}

// mysqlOutage are the server errors that say the server cannot work now, or is set up wrong.
var mysqlOutage = map[uint16]bool{
	1021: true, // disk full
	1040: true, // too many connections
	1044: true, // access denied to the database
	1045: true, // access denied
	1046: true, // no database selected
	1049: true, // unknown database
	1053: true, // server shutdown in progress
	1054: true, // unknown column (schema not migrated)
	1114: true, // table is full
	1142: true, // command denied
	1146: true, // table does not exist (schema not migrated)
	1152: true, // aborted connection
	1159: true, // network read interrupted
	1161: true, // network write interrupted
	1205: true, // lock wait timeout
	1213: true, // deadlock
	1290: true, // running with --read-only
	1836: true, // read-only mode
	1927: true, // connection killed
	4031: true, // disconnected by the server (idle)
}

// sqliteData and sqliteOutage are SQLite primary result codes (the low byte of an extended code).
var (
	sqliteData = map[int]bool{18: true, 19: true, 20: true, 25: true} // TOOBIG CONSTRAINT MISMATCH RANGE
	// BUSY LOCKED NOMEM READONLY INTERRUPT IOERR CORRUPT FULL CANTOPEN PROTOCOL
	sqliteOutage = map[int]bool{5: true, 6: true, 7: true, 8: true, 9: true, 10: true, 11: true, 13: true, 14: true, 15: true}
)

// sqliteCode is the result code of a SQLite driver error (the driver's error type has Code() int).
func sqliteCode(err error) (int, bool) {
	var se interface{ Code() int }
	if errors.As(err, &se) {
		return se.Code(), true
	}
	return 0, false
}
