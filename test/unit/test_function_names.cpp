// Tests for trim_function_name: one group per rule, robustness on malformed and huge names, and a check
// against the function names Sentry's grouping snapshots hash.
#include "function_names.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "json.hpp"

#include "conformance_data.hpp"

#ifndef TRIAGE_SHARED_DIR
#define TRIAGE_SHARED_DIR "../shared"
#endif

namespace {

using triage::trim_function_name;

std::string native(const std::string &name) { return trim_function_name(name, "native"); }

TEST(FunctionNamesPlatform, NonNativePlatformsKeepTheName)
{
	for (const char *platform : {"python", "javascript", "node", "java", "php", "ruby", "go", "other", "", "cpp",
	                             "NATIVE", "unknown"})
		EXPECT_EQ(trim_function_name("ns::foo<int>(int) const", platform), "ns::foo<int>(int) const") << platform;
}

TEST(FunctionNamesPlatform, EveryNativePlatformTrims)
{
	for (const char *platform : {"native", "c", "objc", "cocoa", "swift"})
		EXPECT_EQ(trim_function_name("ns::foo<int>(int) const", platform), "ns::foo<T>") << platform;
}

TEST(FunctionNamesPlatform, CsharpCutsAtTheArgumentList)
{
	EXPECT_EQ(trim_function_name("UnityEngine.Events.InvokableCall.Invoke ()", "csharp"),
	          "UnityEngine.Events.InvokableCall.Invoke");
	EXPECT_EQ(trim_function_name("UnityEngine.EventSystems.ExecuteEvents.Execute[T] (UnityEngine.GameObject target, "
	                             "UnityEngine.EventSystems.ExecuteEvents+EventFunction`1[T1] functor)",
	                             "csharp"),
	          "UnityEngine.EventSystems.ExecuteEvents.Execute[T]");
	// Only " (" separates: no space, no cut; generics and trailers are not touched.
	EXPECT_EQ(trim_function_name("UnityEngine.EventSystems.EventSystem:Update()", "csharp"),
	          "UnityEngine.EventSystems.EventSystem:Update()");
	EXPECT_EQ(trim_function_name("A.B<int> const (x) (y)", "csharp"), "A.B<int> const");
	EXPECT_EQ(trim_function_name("", "csharp"), "");
}

TEST(FunctionNamesNative, PlainNamesAreUnchanged)
{
	EXPECT_EQ(native("function"), "function");
	EXPECT_EQ(native("namespace::Class::function"), "namespace::Class::function");
	EXPECT_EQ(native("tokio::runtime::Runtime::enter::{{closure}}::{{closure}}"),
	          "tokio::runtime::Runtime::enter::{{closure}}::{{closure}}");
	EXPECT_EQ(native("<redacted>"), "<redacted>");
	EXPECT_EQ(native("<unknown>"), "<unknown>");
}

TEST(FunctionNamesNative, ArgumentListsAndReturnTypes)
{
	EXPECT_EQ(native("Scaleform::GFx::AS3::IMEManager::DispatchEvent(char const *,char const *,char const *)"),
	          "Scaleform::GFx::AS3::IMEManager::DispatchEvent");
	EXPECT_EQ(native("static unsigned int Scaleform::GFx::AS3::IMEManager::DispatchEvent(char const *,char const *,"
	                 "char const *) const"),
	          "Scaleform::GFx::AS3::IMEManager::DispatchEvent");
	EXPECT_EQ(native("Scaleform::GFx::IME::GImeNamesManagerVista::OnActivated(unsigned long,unsigned short,_GUID "
	                 "const &,_GUID const &,_GUID const &,HKL__ *,unsigned long)"),
	          "Scaleform::GFx::IME::GImeNamesManagerVista::OnActivated");
	EXPECT_EQ(native("static unsigned int _foo_function (uint32_t,uint32_t) const"), "_foo_function");
	EXPECT_EQ(native("struct style::Strong<style::structs::RawServoStyleSheetContents> geckoservo::glue::"
	                 "Servo_StyleSheet_Empty(style::SheetParsingMode) const"),
	          "geckoservo::glue::Servo_StyleSheet_Empty");
	EXPECT_EQ(native("a::b(c)::d"), "a::b::d");
	EXPECT_EQ(native("foo\n(int)"), "foo");
	// The last word wins, even when it is only a type.
	EXPECT_EQ(native("unsigned int"), "int");
	EXPECT_EQ(native("operator new(unsigned long)"), "new");
}

TEST(FunctionNamesNative, TrailingQualifiers)
{
	EXPECT_EQ(native("ns::Foo::bar() const"), "ns::Foo::bar");
	EXPECT_EQ(native("ns::Foo::bar() &"), "ns::Foo::bar");
	EXPECT_EQ(native("ns::Foo::bar() const &&"), "ns::Foo::bar");
	EXPECT_EQ(native("ns::Foo::bar() const& const &"), "ns::Foo::bar");
	EXPECT_EQ(native(" namespace::const "), "namespace::");
	EXPECT_EQ(native("a.const"), "a.");
	// "const" only as a whole word.
	EXPECT_EQ(native("fooconst"), "fooconst");
	EXPECT_EQ(native("foo_const"), "foo_const");
	// Nothing left after the trailers: the name comes back as given.
	EXPECT_EQ(native(" const "), " const ");
	EXPECT_EQ(native("const"), "const");
	EXPECT_EQ(native("&"), "&");
}

TEST(FunctionNamesNative, TemplateArguments)
{
	EXPECT_EQ(native("std::map<int, std::vector<int>>::insert(std::pair<int, int> const&)"), "std::map<T>::insert");
	EXPECT_EQ(native("std::__1::unique_ptr<X,std::default_delete<X> >::operator->"),
	          "std::__1::unique_ptr<T>::operator->");
	EXPECT_EQ(native("void foo<int>(int)::{lambda()#1}::operator()() const"), "foo<T>::lambda::operator()");
	EXPECT_EQ(native("std::function<void ()>::operator()() const"), "std::function<T>::operator()");
	EXPECT_EQ(native("static <NoType> std::panicking::begin_panic<str*>(struct str*, struct (str*, u32, u32) *)"),
	          "std::panicking::begin_panic<T>");
	EXPECT_EQ(native("(anonymous namespace)::StupidFunction<std::vector<std::string>>(int)"),
	          "(anonymous namespace)::StupidFunction<T>");
	EXPECT_EQ(native("Foo::operator()<int>(int)"), "Foo::operator()<T>");
}

TEST(FunctionNamesNative, Operators)
{
	EXPECT_EQ(native("v8::internal::operator<<(std::__1::basic_ostream<char, std::__1::char_traits<char> >&, "
	                 "v8::internal::MaybeObjectBrief const&)"),
	          "v8::internal::operator<<");
	EXPECT_EQ(native("unsigned int (anonymous namespace)::operator<<(std::__1::basic_ostream<char, "
	                 "std::__1::char_traits<char> >&, v8::internal::MaybeObjectBrief const&)"),
	          "(anonymous namespace)::operator<<");
	EXPECT_EQ(native("unsigned int mynamespace::MyClass::operator()(std::__1::basic_ostream<char, "
	                 "std::__1::char_traits<char> >&, v8::internal::MaybeObjectBrief const&)"),
	          "mynamespace::MyClass::operator()");
	// MSVC puts a space between a generic operator and its arguments: both stay.
	EXPECT_EQ(native("std::basic_ostream<char, std::char_traits<char> >& std::operator<< <std::char_traits<char> >"
	                 "(std::basic_ostream<char, std::char_traits<char> >&, char)"),
	          "std::operator<< <T>");
	EXPECT_EQ(native("foo::operator< <int>"), "foo::operator< <T>");
	EXPECT_EQ(native("bool operator<(A const&, B const&)"), "operator<");
	EXPECT_EQ(native("operator<=>(A, B)"), "operator<=>");
	EXPECT_EQ(native("foo::operator->() const"), "foo::operator->");
	EXPECT_EQ(native("foo<T>::operator<<"), "foo<T>::operator<<");
}

TEST(FunctionNamesNative, AnonymousNamespaces)
{
	EXPECT_EQ(native("?A0xc3a0617d::crash"), "`anonymous namespace'::crash");
	EXPECT_EQ(native("`anonymous namespace'::foo(int)"), "`anonymous namespace'::foo");
	EXPECT_EQ(native("(anonymous namespace)::foo(int)"), "(anonymous namespace)::foo");
	EXPECT_EQ(native("( anonymous namespace )::foo"), "(anonymous namespace)::foo");
	// The MSVC hash form needs lower-case hex and the trailing "::".
	EXPECT_EQ(native("?A0xDEADBEEF::f"), "?A0xDEADBEEF::f");
	EXPECT_EQ(native("?A0xdeadbeef:f"), "?A0xdeadbeef:f");
}

TEST(FunctionNamesNative, Lambdas)
{
	EXPECT_EQ(native("main::$_0"), "main::lambda");
	EXPECT_EQ(native("main::$_42"), "main::lambda");
	EXPECT_EQ(native("main::{lambda(int)#1}"), "main::lambda");
	EXPECT_EQ(native("main::{lambda()#42}"), "main::lambda");
	EXPECT_EQ(native("lambda_7156c3ceaa11256748687ab67e3ef4cd"), "lambda");
	EXPECT_EQ(native("<lambda_7156c3ceaa11256748687ab67e3ef4cd>::operator()"), "<lambda>::operator()");
	EXPECT_EQ(native("{lambda(int)#1}::operator()(int) const"), "lambda::operator()");
	EXPECT_EQ(native("foo::$_0::operator()(int) const"), "foo::lambda::operator()");
	EXPECT_EQ(native("std::__1::__function::__func<$_3, std::__1::allocator<$_3>, void ()>::operator()()"),
	          "std::__1::__function::__func<T>::operator()");
	// Word boundaries: these are not lambda spellings.
	EXPECT_EQ(native("lambda_0123456789abcdef0123456789abcdefx"), "lambda_0123456789abcdef0123456789abcdefx");
	EXPECT_EQ(native("$_12abc"), "$_12abc");
	// gcc's form cannot span a newline; a lambda spelling left after normalization survives as an argument.
	EXPECT_EQ(native("x${lambda(a\nb)#1}"), "x${lambda#1}");
	EXPECT_EQ(native("f<{lambda()#1}_0123456789abcdef0123456789abcdef as x>"),
	          "f<lambda_0123456789abcdef0123456789abcdef as x>");
}

TEST(FunctionNamesNative, RustQualifiedPaths)
{
	EXPECT_EQ(native("<actix_web::pipeline::Pipeline<S, H> as actix_web::server::handler::HttpHandlerTask>::poll_io"),
	          "actix_web::pipeline::Pipeline<T>::poll_io");
	EXPECT_EQ(native("<tokio_current_thread::scheduler::Scheduled<'a, U>>::tick"),
	          "tokio_current_thread::scheduler::Scheduled<T>::tick");
	EXPECT_EQ(native("<std::panic::AssertUnwindSafe<F> as core::ops::function::FnOnce<()>>::call_once"),
	          "std::panic::AssertUnwindSafe<T>::call_once");
	EXPECT_EQ(native("<actix::contextimpl::ContextFut<A, C> as futures::future::Future>::poll::h9de5fbebc1652d47"),
	          "actix::contextimpl::ContextFut<T>::poll");
	// Blanket impls ("<T as Trait>") name the trait.
	EXPECT_EQ(native("<T as core::convert::Into<U>>::into"), "core::convert::Into<T>::into");
	EXPECT_EQ(native("<T as Foo>::bar"), "Foo::bar");
	EXPECT_EQ(native("<Foo as Bar<T>>::baz"), "Foo::baz");
	EXPECT_EQ(native("< A as B>::f"), "A::f");
	EXPECT_EQ(native("<A as B as C>::f"), "B::f");
	EXPECT_EQ(native("<<A as B>::C as D>::f"), "B::C::f");
	EXPECT_EQ(native("<<Foo as Bar>::Baz as Qux>::f"), "Foo::Baz::f");
	EXPECT_EQ(native("<sentry::integrations::log::Logger as log::Log>::log"), "sentry::integrations::log::Logger::log");
	EXPECT_EQ(native("namespace::function::h9de5fbebc1652d47"), "namespace::function");
	EXPECT_EQ(native("foo::h0123456789abcdef\n"), "foo");
	// Only a 16-character lower-case hash at the end is a Rust hash.
	EXPECT_EQ(native("foo::h0123456789ABCDEF"), "foo::h0123456789ABCDEF");
	EXPECT_EQ(native("foo::h0123456789abcde"), "foo::h0123456789abcde");
}

TEST(FunctionNamesNative, ObjectiveCIsKept)
{
	EXPECT_EQ(native("+[FLFoo barBaz]"), "+[FLFoo barBaz]");
	EXPECT_EQ(native("-[FLFoo barBaz]"), "-[FLFoo barBaz]");
	EXPECT_EQ(trim_function_name("+[foo:(bar)]", "objc"), "+[foo:(bar)]");
	EXPECT_EQ(trim_function_name("[foo:(bar)]", "objc"), "[foo:(bar)]");
	EXPECT_EQ(trim_function_name("  -[Foo bar:]  ", "objc"), "-[Foo bar:]");
}

TEST(FunctionNamesNative, CloneAnnotationsAndBrackets)
{
	EXPECT_EQ(native("trigger_crash_a(int*) [clone .constprop.0]"), "trigger_crash_a");
	EXPECT_EQ(native("ShellCorona::screenInvariants() const [clone .cold]"), "ShellCorona::screenInvariants");
	EXPECT_EQ(native("__gnu_cxx::__verbose_terminate_handler() [clone .cold]"),
	          "__gnu_cxx::__verbose_terminate_handler");
	EXPECT_EQ(native("foo() [clone .cold.1] const"), "foo");
	// Other bracketed parts stay and can become the last token.
	EXPECT_EQ(native("foo [bar]"), "[bar]");
	EXPECT_EQ(native("foo::operator[](int)"), "foo::operator[]");
}

TEST(FunctionNamesNative, SymbolDecorations)
{
	EXPECT_EQ(native("pthread_cond_timedwait@@GLIBC_2.3.2"), "pthread_cond_timedwait");
	EXPECT_EQ(native("glob64@GLIBC_2.2"), "glob64");
	EXPECT_EQ(native("f@@GLIBC_2.0@GLIBC_2.1"), "f@@GLIBC_2.0");
	EXPECT_EQ(native("ThreadStartWhatever@16"), "ThreadStartWhatever");
	EXPECT_EQ(native("@ThreadStartWhatever@16"), "ThreadStartWhatever");
	EXPECT_EQ(native("@foo@bar@12"), "foo@bar");
	EXPECT_EQ(native("@123"), "");
	EXPECT_EQ(native("foo@12x"), "foo@12x");
}

TEST(FunctionNamesNative, Il2cppMethodHashes)
{
	EXPECT_EQ(native("NativeButtons_DoSomeWorkHere_m7486FA1E8A228E806BA045D26ABECC87DFD436B4"),
	          "NativeButtons_DoSomeWorkHere");
	EXPECT_EQ(native("Thread_Sleep_m71DE163765BF465EC4A0163F2ED4D43143094549(int, MethodInfo const*)"), "Thread_Sleep");
	EXPECT_EQ(native("List_1_CopyTo_m5180D7A430072A21034A0692CDD1D565ADEE2ABB_gshared(RuntimeArray*, int32_t)"),
	          "List_1_CopyTo_gshared");
	EXPECT_EQ(native("LinkedList_1_get_First_mFE6CE39F3C815C988217E69C202C990619E7EB87_fshared_inline"),
	          "LinkedList_1_get_First_fshared_inline");
	EXPECT_EQ(native("AnimationClipPlayable_Equals_mC5263BEA86C02CEDF93C5B14EAA168883E1DB5F4_AdjustorThunk"),
	          "AnimationClipPlayable_Equals_AdjustorThunk");
	EXPECT_EQ(native("ParameterizedConstructorDelegate_5_Invoke_m8ABE4DDEF0C49FF41403E4B3A4064E885DEC800E_"
	                 "OpenStaticInvoker"),
	          "ParameterizedConstructorDelegate_5_Invoke_OpenStaticInvoker");
	EXPECT_EQ(native("AndroidJNIHelper_GetFieldID_mD25F75AF5FF5844520E9564616E3A25F6070B3EB_gp_0_1_0_2"),
	          "AndroidJNIHelper_GetFieldID_gp_0_1_0_2");
	// A variable, not a method; type hashes ("_t...") and lower-case or short hashes are kept too.
	EXPECT_EQ(native("Scope_Apply_m68049D2D67C5881750236D8E55E464E7A96A2DD7_RuntimeMethod_var"),
	          "Scope_Apply_m68049D2D67C5881750236D8E55E464E7A96A2DD7_RuntimeMethod_var");
	EXPECT_EQ(native("RuntimeInvoker_TrueVoid_t22962CB4C05B1D89B55A6E1139F0E87A90987017"),
	          "RuntimeInvoker_TrueVoid_t22962CB4C05B1D89B55A6E1139F0E87A90987017");
	EXPECT_EQ(native("Foo_m7486fa1e8a228e806ba045d26abecc87dfd436b4"), "Foo_m7486fa1e8a228e806ba045d26abecc87dfd436b4");
	EXPECT_EQ(native("Foo_m7486FA1E8A228E806BA045D26ABECC87DFD436B"), "Foo_m7486FA1E8A228E806BA045D26ABECC87DFD436B");
	EXPECT_EQ(native("_m7486FA1E8A228E806BA045D26ABECC87DFD436B4"), "_m7486FA1E8A228E806BA045D26ABECC87DFD436B4");
}

TEST(FunctionNamesSwift, ReturnArrowsAndAttributes)
{
	EXPECT_EQ(native("@objc ViewController.causeCrash(Any) -> ()"), "ViewController.causeCrash");
	EXPECT_EQ(native("ViewController.causeCrash(Any) -> ()"), "ViewController.causeCrash");
	EXPECT_EQ(native("@objc ViewController.causeCrash(Any, Foo -> Bar) -> SomeObject"), "ViewController.causeCrash");
	EXPECT_EQ(native("static Namespace.ThrowingFunction() throws -> Namespace.ExitValue?"),
	          "Namespace.ThrowingFunction");
	EXPECT_EQ(native("x -> y throws -> z"), "y");
	EXPECT_EQ(native("-> f"), "f");
	EXPECT_EQ(native("throws -> f"), "f");
	// An attribute where the name should be is an anonymous function, but only for cocoa and swift.
	EXPECT_EQ(native("@callee_guaranteed () -> ()"), "@callee_guaranteed");
	EXPECT_EQ(trim_function_name("@callee_guaranteed () -> ()", "swift"), "closure");
}

TEST(FunctionNamesSwift, ClosuresAndThunks)
{
	EXPECT_EQ(native("closure #1 @Swift.MainActor () -> () in static Foo.CallFunction(args: [Swift.String]) -> ()"),
	          "closure in Foo.CallFunction");
	EXPECT_EQ(native("closure #1 () -> () in Bar.PostTask(() -> ()) -> ()"), "closure in Bar.PostTask");
	const char *cocoa = "cocoa";
	EXPECT_EQ(trim_function_name("thunk for @escaping @callee_guaranteed () -> ()", cocoa), "thunk for closure");
	EXPECT_EQ(trim_function_name("specialized thunk for @callee_guaranteed (@guaranteed [T1]) -> (@owned [T2])", cocoa),
	          "thunk for closure");
	EXPECT_EQ(trim_function_name("partial apply for thunk for @callee_guaranteed () -> (@error @owned Error)", cocoa),
	          "thunk for closure");
	EXPECT_EQ(trim_function_name("closure #1 (T1) in foo(bar: T2)", cocoa), "closure in foo");
	EXPECT_EQ(trim_function_name("partial apply for closure #1 () in closure #2 (T1) in f1(_: T2, arg: T3)", cocoa),
	          "closure in f1");
	EXPECT_EQ(trim_function_name("reabstraction thunk helper from @escaping @callee_guaranteed () -> () to "
	                             "@callee_unowned @convention(block) () -> ()",
	                             cocoa),
	          "closure");
}

TEST(FunctionNamesSwift, InitializerExpressions)
{
	EXPECT_EQ(native("closure #1 @Sendable () -> Swift.String in variable initialization expression of static "
	                 "Namespace.Class.var : Namespace.Parent"),
	          "closure in initializer expression of Namespace.Class.var");
	EXPECT_EQ(native("variable initialization expression of static Namespace.Class.var : Namespace.Parent"),
	          "initializer expression of Namespace.Class.var");
	EXPECT_EQ(native("closure #1 () -> () in variable initialization expression of static (extension in "
	                 "SpaceCreation):Namespace.Class.var : Namespace.Parent"),
	          "closure in initializer expression of Namespace.Class.var");
	EXPECT_EQ(trim_function_name("variable initialization expression of Foo.bar : Int", "cocoa"),
	          "initializer expression of Foo.bar");
	EXPECT_EQ(native("initialization expression of static :x"), "initializer expression of x");
	// Shapes on which Sentry raises fall back to the general rule.
	EXPECT_EQ(native("initialization expression of"), "of");
	EXPECT_EQ(native("x initialization expression of static"), "static");
}

TEST(FunctionNamesNative, WhitespaceAndUnicode)
{
	EXPECT_EQ(native("  foo::bar(int)  "), "foo::bar");
	EXPECT_EQ(native("\xC2\xA0" "foo" "\xC2\xA0"), "foo"); // no-break spaces are whitespace to Python
	EXPECT_EQ(native("Caf\xC3\xA9::na\xC3\xAFve(int)"), "Caf\xC3\xA9::na\xC3\xAFve");
	EXPECT_EQ(native("\xE2\x82\xAC" "const"), "\xE2\x82\xAC"); // '€' is not a word character: "const" is a trailer
	EXPECT_EQ(native("a{b c}d e"), "e");
	// Sentry's placeholder characters are turned back into what they stand for.
	EXPECT_EQ(native("\xE2\x9F\xA8x"), "<x");
	EXPECT_EQ(native("f \xE2\x97\xAF"), "()");
	// Bytes that are not UTF-8 pass through untouched.
	EXPECT_EQ(native("\xFF\xFE::f(int)"), "\xFF\xFE::f");
	EXPECT_EQ(native(std::string("a\0b(int)", 8)), std::string("a\0b", 3));
}

TEST(FunctionNamesNative, MalformedNames)
{
	EXPECT_EQ(native(""), "");
	EXPECT_EQ(native("   "), "   ");
	EXPECT_EQ(native(" <unknown>"), "unknown");
	EXPECT_EQ(native("foo("), "foo");
	EXPECT_EQ(native("foo)"), "foo)");
	EXPECT_EQ(native("a)b(c)d"), "ac"); // a stray ')' hides everything until the depth is back at zero
	EXPECT_EQ(native("foo<"), "foo");
	EXPECT_EQ(native("a{b"), "a");
	EXPECT_EQ(native("{foo::h0123456789abcdef\n"), "{foo\n"); // nothing tokenizes: the original, hash cut
	EXPECT_EQ(native(">>>::f<<<"), ">>>::f<<<");
	EXPECT_EQ(native("<<<"), "<<<");
}

TEST(FunctionNamesNative, HugeAndDeeplyNestedNamesStayLinear)
{
	// Each is about a megabyte: anything quadratic, recursive per level or backtracking would not finish.
	const size_t n = 200000;
	const std::string deep_generics = std::string(n, '<') + std::string(n, '>') + "::f";
	EXPECT_EQ(native(deep_generics), "::f");
	std::string rust_chain;
	for (size_t i = 0; i < n; ++i)
		rust_chain += '<';
	rust_chain += "Xy";
	for (size_t i = 0; i < n; ++i)
		rust_chain += " as T>::m";
	EXPECT_EQ(native(rust_chain).substr(0, 5), "Xy::m");

	std::string open_lambdas;
	for (size_t i = 0; i < n; ++i)
		open_lambdas += "{lambda(";
	// Unclosed brackets leave nothing to call a name, so the name comes back as given.
	EXPECT_EQ(native(open_lambdas), open_lambdas);
	EXPECT_EQ(native("<" + open_lambdas + ">::f"), "<" + open_lambdas + ">::f");

	std::string many_words;
	for (size_t i = 0; i < n; ++i)
		many_words += "closure ";
	many_words += "f";
	EXPECT_EQ(native(many_words), "closure in f");

	EXPECT_EQ(native("f" + std::string(n, '&')), "f");
	std::string consts = "f";
	for (size_t i = 0; i < n; ++i)
		consts += " const";
	EXPECT_EQ(native(consts), "f");

	std::string operators;
	for (size_t i = 0; i < n / 10; ++i)
		operators += "operator<<";
	EXPECT_EQ(native(operators), operators);
	EXPECT_EQ(native(std::string(n, '(')), std::string(n, '('));
	EXPECT_EQ(native(std::string(n, ')')), std::string(n, ')'));
	EXPECT_EQ(native("x" + std::string(n, '[') + std::string(n, ']')), "x" + std::string(n, '[') + std::string(n, ']'));
	std::string gp = "F_m7486FA1E8A228E806BA045D26ABECC87DFD436B4_gp";
	for (size_t i = 0; i < n; ++i)
		gp += "_1";
	EXPECT_EQ(native(gp).substr(0, 6), "F_gp_1");
}

// --- Conformance: the function names Sentry's grouping snapshots hash ---

using triage::JsonValue;

bool is_native_family(const std::string &platform)
{
	return platform == "objc" || platform == "cocoa" || platform == "swift" || platform == "native" ||
	       platform == "c";
}

std::string string_member(const JsonValue &object, const char *key)
{
	const auto value = triage::member_string(object, key);
	return value ? std::string(*value) : std::string();
}

// Every scalar of the event outside frame function names, as Sentry could hash it: verbatim, as a lower-cased
// basename (file names), and with whitespace collapsed (context lines).
void collect_other_values(const JsonValue &value, std::set<std::string> &out)
{
	if (value.IsObject()) {
		for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
			const std::string key(it->name.GetString(), it->name.GetStringLength());
			if (key != "function" && key != "raw_function")
				collect_other_values(it->value, out);
		}
	} else if (value.IsArray()) {
		for (const auto &element : value.GetArray())
			collect_other_values(element, out);
	} else if (value.IsString()) {
		const std::string text(triage::string_of(value));
		out.insert(text);
		const size_t slash = text.find_last_of("/\\");
		std::string base = slash == std::string::npos ? text : text.substr(slash + 1);
		for (char &c : base)
			if (c >= 'A' && c <= 'Z')
				c = static_cast<char>(c - 'A' + 'a');
		out.insert(base);
		std::string collapsed;
		for (char c : text) {
			const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
			if (!space)
				collapsed += c;
			else if (!collapsed.empty() && collapsed.back() != ' ')
				collapsed += ' ';
		}
		if (!collapsed.empty() && collapsed.back() == ' ')
			collapsed.pop_back();
		out.insert(collapsed);
	} else if (value.IsInt64()) {
		out.insert(std::to_string(value.GetInt64()));
	}
}

void collect_frames(const JsonValue *stacktrace, std::vector<const JsonValue *> &out)
{
	if (stacktrace == nullptr || !stacktrace->IsObject())
		return;
	if (const JsonValue *frames = triage::member_array(*stacktrace, "frames"))
		for (const auto &frame : frames->GetArray())
			if (frame.IsObject())
				out.push_back(&frame);
}

// Exception values, threads and the top-level stack trace, whether the container is {"values": [...]} or a list.
void collect_event_frames(const JsonValue &event, std::vector<const JsonValue *> &out)
{
	collect_frames(triage::member(event, "stacktrace"), out);
	for (const char *container : {"exception", "threads"}) {
		const JsonValue *holder = triage::member(event, container);
		if (holder != nullptr && holder->IsObject())
			holder = triage::member(*holder, "values");
		if (holder == nullptr || !holder->IsArray())
			continue;
		for (const auto &entry : holder->GetArray())
			if (entry.IsObject())
				collect_frames(triage::member(entry, "stacktrace"), out);
	}
}

TEST(FunctionNamesConformance, ContributingFunctionNamesMatchSentry)
{
	CONFORMANCE_LINES_OR_SKIP(lines, "cases.jsonl");

	size_t cases = 0;
	size_t native_cases = 0;
	size_t values_checked = 0;     // expected values that only a frame's function name explains
	size_t trimmed_values = 0;     // ... of which the trimmed name differs from the frame's function
	size_t frames_kept_as_is = 0;  // non-native frames whose name must come back unchanged
	for (const std::string &line : lines) {
		triage::JsonDocument doc;
		triage::parse_json(line, doc, "conformance case");
		const std::string name = string_member(doc, "name");
		const JsonValue *event = triage::member_object(doc, "event");
		const JsonValue *expected = triage::member_object(doc, "expected_components_by_variant");
		ASSERT_NE(event, nullptr) << name;
		ASSERT_NE(expected, nullptr) << name;
		++cases;
		const std::string event_platform = string_member(*event, "platform");

		std::vector<const JsonValue *> frames;
		collect_event_frames(*event, frames);
		std::set<std::string> function_values; // what each frame's function component would hash
		std::set<std::string> changed_values;  // those that trimming changed
		bool native_case = is_native_family(event_platform);
		for (const JsonValue *frame : frames) {
			const std::string function = string_member(*frame, "function");
			if (function.empty())
				continue;
			const std::string own_platform = string_member(*frame, "platform");
			const std::string platform = own_platform.empty() ? event_platform : own_platform;
			native_case = native_case || is_native_family(platform);
			const std::string trimmed = trim_function_name(function, platform);
			if (!is_native_family(platform) && platform != "csharp") {
				EXPECT_EQ(trimmed, function) << name << ": platform " << platform;
				++frames_kept_as_is;
			}
			// Sentry trims only when the client sent no raw_function.
			if (!string_member(*frame, "raw_function").empty()) {
				function_values.insert(function);
			} else {
				function_values.insert(trimmed);
				if (trimmed != function)
					changed_values.insert(trimmed);
			}
		}
		if (!native_case)
			continue; // other platforms apply further, non-trimming rewrites (JavaScript, Ruby, PHP, Java)
		++native_cases;

		std::set<std::string> other_values;
		collect_other_values(*event, other_values);
		for (auto variant = expected->MemberBegin(); variant != expected->MemberEnd(); ++variant) {
			if (!variant->value.IsArray())
				continue;
			for (const auto &value : variant->value.GetArray()) {
				if (!value.IsString())
					continue;
				const std::string text(triage::string_of(value));
				if (other_values.count(text) != 0)
					continue;
				++values_checked;
				trimmed_values += changed_values.count(text);
				EXPECT_EQ(function_values.count(text), 1u)
				    << name << " (" << variant->name.GetString() << "): contributing value \"" << text
				    << "\" is no frame's trimmed function name";
			}
		}
	}
	std::cout << "[function_names] " << cases << " cases, " << native_cases << " native, " << values_checked
	          << " contributing values checked (" << trimmed_values << " changed by trimming), "
	          << frames_kept_as_is << " non-native frames kept as is\n";
	EXPECT_GT(native_cases, 20u);
	EXPECT_GT(trimmed_values, 50u);
}

} // namespace
