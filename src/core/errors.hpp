// Errors raised by the pure C++ core. The PostgreSQL glue maps each kind to a SQLSTATE.
#pragma once

#include <stdexcept>
#include <string>

namespace triage {

enum class ErrorKind {
	invalid_json,          // 22P02 invalid_text_representation: not JSON, or not UTF-8
	invalid_parameter,     // 22023 invalid_parameter_value: JSON of the wrong shape, bad argument
	rule_syntax,           // 42601 syntax_error: stack-trace or fingerprinting rule text
	program_limit,         // 54000 program_limit_exceeded: nesting too deep, too large
};

class Error : public std::runtime_error {
public:
	Error(ErrorKind kind, const std::string &message) : std::runtime_error(message), kind_(kind) {}
	ErrorKind kind() const { return kind_; }

private:
	ErrorKind kind_;
};

} // namespace triage
