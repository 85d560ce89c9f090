package store

var NewGormLoggerForTest = newGormLogger
