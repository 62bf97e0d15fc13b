// Built-in stack-trace rules of the grouping configs "newstyle:2026-01-20" (the default) and
// "newstyle:2025-11-21", written in the rule language of stacktrace_rules.hpp.
//
// The facts (which frames are system, throw, thread base, not in-app, ...) were learnt from Sentry's
// enhancement bases all-platforms@2026-01-20 and all-platforms@2025-11-21 (getsentry/sentry at
// 44c1f33b and 9b2d6a91, the newest stored versions) and are expressed here in our own arrangement.
// The rules must give exactly the same frame categories, in-app flags and contributions, so the
// arrangement follows how the engine applies rules:
//   - Classifier rules (category=, +app, -app) run rule by rule: a rule sees what earlier rules
//     wrote, and the last rule that writes a frame's category or in-app flag wins.
//   - Contribution rules (+group, -group) only ever say -group here, so their order is free.
// Hence: all category writers come first, in an order where every override (android.os after
// android.*, throw after shutdown, ...) and every rule reading category: or app: sees the same
// state as in Sentry; the neighbour-derived categories keep their exact order. Among in-app
// writers, the +app rules (app bundles, Unreal asserts, Flutter on Android) keep their place
// relative to the -app rules that could overlap them; after the last +app rule every rule only
// clears flags, so that tail is grouped by topic.
// Left out as provably without effect: RtlExitUserThread as shutdown and destructor' as
// indirection (both overwritten by a later category rule before anything reads the category),
// a second "sentry_isar -app" rule and a second copy of the thread-base cut.
//
// How the two configs differ: only in Flutter/Dart native frames. newstyle:2026-01-20 also marks
// as not in-app the native frames whose path is package:flutter/**, dart:**, dart:*/** or
// third_party/dart/sdk/**, those in the Flutter.framework and FlutterMacOS.framework bundles, and
// the Dart VM stubs "stub InvokeDartCode" and "stub CallBootstrapNative" (flutter_native_extras,
// appended at the end, which is equivalent because every rule after the Flutter +app rule only
// clears in-app flags). Everything else is identical, including the Python spawn_main rule, the
// ~/.local/share path and "-app" on the internals and telemetry cuts (older revisions of the 2025
// file lacked those three; the snapshot commit 9b2d6a91 shows them in force for 2025-11-21).

#include <string>
#include <string_view>

namespace triage {

std::string_view default_stacktrace_rules_text(std::string_view config_id);

namespace {

// What kind of code a frame is, judged from the frame alone. Each block writes one category;
// a frame matched by several blocks ends with the later block's category.
constexpr std::string_view frame_categories = R"rules(
## system: operating-system libraries and frameworks
family:native package:"/System/Library/Frameworks/**"  category=system
family:native package:"C:/Windows/**"                  category=system
family:native package:/usr/lib/**                      category=system
family:native package:/system/**                      category=system
family:native package:/vendor/**                       category=system
family:native package:CoreFoundation                  category=system
family:native package:Foundation                      category=system
family:native package:CFNetwork                       category=system
family:native package:IOKit                           category=system
family:native package:QuartzCore                      category=system
family:native package:IOMobileFramebuffer             category=system
family:native package:WebKit                          category=system
family:native package:libdispatch.dylib               category=system
family:native package:libobjc*                        category=system
family:native package:libsystem*                      category=system
family:native package:**/libart.so                    category=system
family:native package:linux-gate.so*                  category=system
family:native package:linux-vdso.so*                  category=system
family:native function:memset                         category=system
family:native function:memcpy                         category=system
family:native function:__memcpy                       category=system
family:native function:memcmp                         category=system
package:/apex/com.android.*/lib*/**                   category=system
module:dalvik.system.*                                category=system
module:com.android.*                                  category=system
# vendor software preinstalled on Lenovo Android phones
module:com.lenovo.lsf.*                               category=system
module:com.lenovo.payplus.*                           category=system

## std: language and platform standard libraries
family:native function:std::*                         category=std
family:native function:boost::*                       category=std
module:java.*                                         category=std
module:javax.crypto.*                                 category=std
module:com.google.crypto.*                            category=std
module:com.google.android.*                           category=std
module:androidx.*                                     category=std
module:android.*                                      category=std
module:android.database.*                             category=std
# ... except android.os, which counts as the operating system
module:android.os.*                                   category=system

## ui: UI toolkits
family:native package:UIKit                           category=ui
family:native package:UIKitCore                       category=ui
family:native package:SwiftUI                         category=ui
family:native package:AttributeGraph                  category=ui
family:native package:CoreAutoLayout                  category=ui
family:native package:GraphicsServices                category=ui
family:native function:"-\[NSISEngine*"               category=ui
module:android.view.*                                 category=ui
module:android.text.*                                 category=ui
module:android.widget.*                               category=ui
module:android.app.Dialog                             category=ui
module:androidx.*.widget.*                            category=ui
module:com.google.android.material.*                  category=ui
# the UI toolkit's own message pumps only pass control on
category:ui function:handleMessage                    category=indirection
category:ui function:run                              category=indirection

## runtime: the Android JIT
family:native function:art::jit::*                    category=runtime

## av: audio and media libraries
family:native package:/system/lib/libmedia.so         category=av
family:native package:/System/lib/libaudioclient.so  category=av
family:native package:AudioToolbox*                   category=av
family:native package:libAudioToolboxUtility.dylib    category=av

## internals: helpers the compiler or library generates
family:native function:std::_*                        category=internals
family:native function:__swift_*                      category=internals
family:native function:block_destroy_helper*          category=internals
family:native function:*_block_invoke* app:no         category=internals

## threadbase: where a thread or the process starts running
family:native function:wWinMain                                        category=threadbase
family:native function:invoke_main                                     category=threadbase
family:native function:BaseThreadInitThunk                             category=threadbase
family:native function:RtlUserThreadStart                              category=threadbase
family:native function:thread_start                                    category=threadbase
family:native function:_pthread_start                                  category=threadbase
family:native function:__pthread_start                                 category=threadbase
family:native function:_pthread_body                                   category=threadbase
family:native function:_pthread_wqthread                               category=threadbase
family:native function:start_wqthread                                  category=threadbase
family:native function:_dispatch_worker_thread2                        category=threadbase
family:native function:TppWorkerThread                                 category=threadbase
family:native function:TppWorkpExecuteCallback                         category=threadbase
family:native function:RtlpTpWorkCallback                              category=threadbase
family:native function:boost::*::thread_proxy                          category=threadbase
family:native package:/usr/lib/system/** function:start                category=threadbase
family:native package:libdyld.dylib function:start                     category=threadbase
family:native package:/usr/lib/system/libsystem_pthread.dylib function:"<unknown>"  category=threadbase
family:native package:UIKit function:UIApplicationMain                 category=threadbase
family:native package:UIKitCore function:UIApplicationMain             category=threadbase
module:java.util.concurrent.ThreadPoolExecutor* function:runWorker     category=threadbase
module:android.app.ActivityThread function:main                        category=threadbase
module:android.app.ActivityThread* function:handleMessage              category=threadbase
module:android.os.Looper function:loop                                 category=threadbase
module:android.os.Handler function:dispatchMessage                     category=threadbase
module:android.os.Handler function:handleCallback                      category=threadbase
module:android.os.AsyncTask* function:call                             category=threadbase
module:android.os.* function:call                                      category=threadbase
module:android.view.View function:layout                               category=threadbase

## malloc: memory allocation
family:native package:"**/libsystem_malloc.dylib"     category=malloc
family:native function:malloc                         category=malloc
family:native function:malloc_base                    category=malloc
family:native function:RtlpAllocateHeapInternal       category=malloc
family:native function:std::*::allocator_traits*      category=malloc

## indirection: code that only forwards a call (lambdas, function objects, reflection, casts)
family:native function:*::operator()*                 category=indirection
family:native function:*<lambda>*                     category=indirection
family:native function:__dynamic_cast                 category=indirection
family:native function:boost::function*               category=indirection
family:native function:boost::_bi::*                  category=indirection
family:native function:boost::detail::function::functor_manager*  category=indirection
family:native function:Array.subscript.*              category=indirection
module:java.lang.reflect.*                            category=indirection
module:java.lang.Class function:getMethod             category=indirection
module:androidx.work.impl.utils.ForceStopRunnable     category=indirection

## dtor: destructors
family:native function:"*::\\{dtor\\}"                category=dtor
family:native function:"destructor'"                  category=dtor

## shutdown: process and thread exit
family:native function:exit                           category=shutdown
family:native function:RtlExitUserProcess             category=shutdown
family:native function:ExitProcessImplementation      category=shutdown

## handler: signal and exception dispatch, which calls into crash reporting
family:native function:_sigtramp                      category=handler
family:native function:RtlpExecuteHandlerForException category=handler
family:native function:DispatchHookW                  category=handler
family:native function:execute_onexit_table           category=handler

## throw: what raises or aborts; the crash itself happened in its caller
family:native function:abort                          category=throw
family:native function:raise                          category=throw
family:native function:std::terminate                 category=throw
family:native function:objc_exception_throw          category=throw
family:native function:_CFThrowFormattedException     category=throw
family:native function:_CxxThrowException             category=throw
family:native function:RaiseException                 category=throw
family:native function:RaiseComPlusException          category=throw
family:native function:RtlExitUserThread              category=throw
family:native function:TppRaiseInvalidParameter       category=throw
family:native function:AG::precondition_failure*      category=throw

## driver: graphics and GPU drivers
family:native function:*CUDA*                         category=driver
family:native package:**/nvcuda.dll                   category=driver
family:native package:"C:/Program Files/NVIDIA Corporation/**"           category=driver
family:native package:"C:/WINDOWS/system32/DriverStore/**"               category=driver
family:native package:"/System/Library/Extensions/AppleIntel*GraphicsGLDriver.bundle/**"  category=driver
family:native package:/System/Library/Extensions/GeForceGLDriver.bundle/**  category=driver
family:native package:/System/Library/Extensions/AMDRadeon*/**           category=driver
family:native package:/System/Library/PrivateFrameworks/GPUSupport.framework/**  category=driver
family:native package:libGPUSupportMercury.dylib      category=driver
family:native package:AGXGLDriver                     category=driver

## free: releasing memory
family:native function:free                           category=free
family:native function:RtlFreeHeap                    category=free
family:native function:RtlFreeUnicodeString           category=free
family:native function:std::_Deallocate               category=free
family:native function:objc_release                  category=free
family:native function:_swift_release_dealloc         category=free
family:native function:_CFRelease                     category=free

## gl: OpenGL and look-alikes (OpenCL shows up in the same places)
family:native package:C:/Windows/SYSTEM32/OPENGL32.dll                    category=gl
family:native package:/System/Library/Frameworks/OpenGL.framework/**      category=gl
family:native package:/System/Library/Frameworks/OpenCL.framework/**      category=gl
family:native package:OpenGLES                        category=gl
family:native package:GLEngine                        category=gl
family:native package:/system/lib/libEGL.so           category=gl
family:native package:/system/lib/libskia.so          category=gl
family:native package:**/libGLES*.so                  category=gl
family:native package:**/libESXGLES*.so               category=gl

## telemetry: crash reporters and tracking SDKs bundled into apps
family:native function:gpusGenerateCrashLog* )rules"  // one rule, split to fit the line width
	R"rules(package:/System/Library/PrivateFrameworks/GPUSupport.framework/**  category=telemetry
family:native function:gpusKillClientExt             category=telemetry
family:native function:crashpad::*                    category=telemetry
package:"**/libBugly.so"                              category=telemetry
module:cn.gundam.sdk.*                                category=telemetry
module:com.lenovo.payplus.analytics.*                 category=telemetry

## load: dynamic loading
family:native function:dlopen                         category=load
family:native function:dladdr                         category=load
family:native function:ImageLoaderMachO::findClosestSymbol  category=load
family:native package:/system/lib/libnativeloader.so function:android::OpenNativeLibrary  category=load
module:java.lang.System function:loadLibrary          category=load
module:java.lang.Runtime function:loadLibrary*        category=load

## lock
family:native function:pthread_mutex_lock             category=lock
)rules";

// Categories that depend on the neighbouring frames ([ x ] | is the caller, | [ x ] the callee).
// Each rule sees the categories left by the previous ones, so this order is part of the meaning.
constexpr std::string_view neighbour_categories = R"rules(
# Within a run of driver, GL, audio or allocator frames only the outermost one is kept: what the
# app asked for matters, not which helpers the library used (and driver internals vary by version
# and symbolication quality).
category:driver | [ category:driver ]                 category=internals
[ category:gl ] | category:gl                         category=internals
[ category:av ] | category:av                         category=internals
[ category:malloc ] | category:malloc                 category=internals

# Python multiprocessing runs the child through a synthetic <module> frame under spawn_main.
function:<module> | [ function:spawn_main ]           category=internals

# _purecall aborts on a bad virtual call: treat it like the crash, not the abort under it.
[ function:_purecall ] | category:throw               category=internals
# One throw calling another (abort -> raise): only the first one counts.
[ category:throw ] | category:throw                   category=internals

# Underscore-prefixed or unsymbolicated system functions are private noise; _purecall is kept
# because it is often the one telling frame among system frames.
family:native category:system function:_* !function:_purecall  category=internals
family:native category:system function:"<unknown>"   category=internals
family:native function:_INTERNAL*                     category=internals

# Swift compiler-generated code, by name (older Cocoa SDKs mislabel <compiler-generated> paths).
family:native function:closure                        category=internals
family:native function:Collection.map<T>              category=internals
family:native function:Array.subscript.getter         category=internals
family:native function:Array._getElement              category=internals
family:native function:_ArrayBuffer._nativeTypeChecked.getter  category=internals
family:native function:range                          category=internals
family:native function:@callee_guaranteed             category=internals

# Outlined cold paths (foo.cold.1) are the same code as foo.
family:native function:*.cold.1                       category=indirection

# A lone system frame between two non-system frames is noise.
[ !category:system ] | category:system | [ !category:system ]  category=indirection

# A library frame called from its own kind (or from a related kind) is that library's internals.
[ category:free ] | category:system                   category=internals
[ category:system ] | category:system                 category=internals
[ category:std ] | category:system                    category=internals
[ category:std ] | category:std                       category=internals
[ category:ui ] | category:ui                         category=internals
[ category:ui ] | category:system                     category=internals
[ category:internals ] | category:system              category=internals
[ category:internals ] | category:ui                  category=internals
[ category:load ] | category:system                   category=internals
[ category:load ] | category:load                     category=internals
[ category:throw ] | category:system                  category=internals
[ category:runtime ] | category:system                category=internals
[ category:runtime ] | category:runtime               category=internals
[ category:dtor ] | category:dtor                     category=internals

## framework: third-party Java/JVM frameworks
module:akka.*                                         category=framework
module:com.fasterxml.*                                category=framework
module:com.microsoft.*                                category=framework
module:com.sun.*                                      category=framework
module:feign.*                                        category=framework
module:io.opentelemetry.*                             category=framework
module:io.sentry.*                                    category=framework
module:jdk.*                                          category=framework
module:oauth.*                                        category=framework
module:org.apache.*                                   category=framework
module:org.glassfish.*                                category=framework
module:org.jboss.*                                    category=framework
module:org.jdesktop.*                                 category=framework
module:org.postgresql.*                               category=framework
module:org.springframework.*                          category=framework
module:org.web3j.*                                    category=framework
module:reactor.core.*                                 category=framework
module:scala.*                                        category=framework
module:sun.*                                          category=framework
)rules";

// In-app marks that must keep their order: app bundles are in-app, then the Unreal Engine
// assert/ensure/capture helpers (callers in-app, the helper and its callees not; several helpers
// in one stack interact, so their order matters), then not-in-app facts that may overlap the
// Flutter-on-Android in-app mark which closes this block.
constexpr std::string_view ordered_in_app_marks = R"rules(
# iOS and macOS application bundles, also under the simulator
family:native package:/var/containers/Bundle/Application/**          +app
family:native package:/private/var/containers/Bundle/Application/**  +app
family:native package:**/Developer/CoreSimulator/Devices/**          +app
family:native package:**/Containers/Bundle/Application/**            +app
family:native package:**.app/Contents/**                             +app
family:native package:/Users/**                                      +app

# Unreal Engine: fatal log, check/verify, ensure (5.2 and older, 5.3, 5.4+) and Sentry captures
family:native function:UE::Logging::Private::BasicFatalLog            v+app -app ^-app
family:native function:FDebug::CheckVerifyFailedImpl*                 v+app -app ^-app
function:*::Impl::ExecCheckImplInternal | [ function:FDebug::CheckVerifyFailedImpl ]    -app
function:FDebug::CheckVerifyFailedImpl2 | [ function:FDebug::CheckVerifyFailedImpl2V ]  -app
family:native function:FDebug::OptionallyLogFormattedEnsureMessageReturningFalse  v+app -app ^-app
category:indirection | [ function:FDebug::OptionallyLogFormattedEnsureMessageReturningFalse ]  -app
family:native function:DispatchCheckVerify*                           v+app -app ^-app
family:native function:UE::Assert::Private::ExecCheckImplInternal*    v+app -app ^-app
family:native function:USentrySubsystem::CaptureMessage*              v+app -app ^-app
family:native function:USentrySubsystem::CaptureMessageWithScope*     v+app -app ^-app
family:native function:USentrySubsystem::CaptureEvent*                v+app -app ^-app
family:native function:USentrySubsystem::CaptureEventWithScope*       v+app -app ^-app
family:native function:USentrySubsystem::*execCapture*                v+app -app ^-app

# Crash borders: the panic, throw or assert machinery and everything it called are not the bug.
family:native function:std::panicking::begin_panic                 ^-group -group ^-app -app
family:native function:core::panicking::begin_panic                ^-group -group ^-app -app
family:native function:failure::backtrace::Backtrace::new          ^-group -group ^-app -app
family:native function:error_chain::make_backtrace                 ^-group -group ^-app -app
family:native function:std::panicking::panic_fmt                   ^-app -app
family:native function:core::panicking::panic_fmt                  ^-app -app
family:native function:__cxa_throw                                 ^-group -group ^-app -app
family:native function:_CxxThrowException                          ^-group -group ^-app -app
family:native function:__assert_rtn                                ^-group -group ^-app -app
family:native function:_NSRaiseError                               ^-group -group ^-app -app
family:native function:google_breakpad::ExceptionHandler::SignalHandler               ^-group -group
family:native function:google_breakpad::ExceptionHandler::WriteMinidumpWithException  ^-group -group

# Installed libraries and language runtimes are not the app.
package:/lib/**                                       -app
package:/usr/lib/**                                   -app
path:/usr/local/lib/**                                -app
path:/usr/local/Cellar/**                             -app
path:**/.local/share/**                               -app
family:native function:std::*                         -app
family:native function:core::*                        -app
family:native function:alloc::*                       -app
family:native function:__rust_*                       -app
family:native function:rust_begin_unwind             -app
family:native package:**/Frameworks/libswift*.dylib   -app
family:native function:_mh_execute_header             -group -app

# Crash-reporter SDKs (Breakpad, KSCrash, sentry-cocoa, sentry-react-native) are neither in-app
# nor grouped. Needed where the SDK is linked statically into the app binary; an app with its own
# Sentry* classes can override this with its own rules.
family:native package:**/Frameworks/KSCrash.framework/**      -app
family:native package:**/Frameworks/SentrySwift.framework/**  -app
family:native package:**/Frameworks/Sentry.framework/**       -app
family:native function:google_breakpad::*             -app -group
family:native function:kscm_*                         -app -group
family:native function:kscrash_*                      -app -group
family:native function:sentrycrashcm_*                -app -group
family:native function:*sentrycrash_*                 -app -group
family:native function:"?[[]KSCrash*"                 -app -group
family:native function:"?[[]RNSentry*"                -app -group
family:native function:"?[[]Sentry*"                  -app -group
family:native function:"__*[[]Sentry*"                -app -group

# Flutter on Android: Dart code of the installed app is in-app unless a rule below says otherwise.
family:native package:/data/app/** path:**/*.dart     +app
)rules";

// From here on every rule only clears in-app or contribution flags, so order does not matter.
constexpr std::string_view clearing_rules = R"rules(
# Cuts by category: throw and handler frames and everything they called (toward the crash); thread
# bases and everything that called them (away from the crash); forwarding and internal frames.
category:throw                                        ^-group -group ^-app -app
category:handler                                      ^-group -group
category:threadbase                                   -group v-group
category:indirection                                  -group
category:internals                                    -app -group
category:telemetry                                    -app -group
category:system                                       -app
category:framework                                    -app
module:io.sentry.*                                    -group

# Dependencies installed next to the app
path:**/vendor/**                                     -app
path:**/site-packages/**                              -app
path:**/dist-packages/**                              -app
path:**/node_modules/**                               -app
path:**/go/pkg/mod/**                                 -app
family:native path:**/.pub-cache/**                   -app

# JavaScript served from public CDNs
module:unpkg/**                                       -app
path:**https://unpkg.com/**                           -app
path:**https://cdnjs.cloudflare.com/**                -app
path:**https://cdn.jsdelivr.net/**                    -app
path:**https://esm.run/**                             -app

# Kotlin and JVM networking libraries
module:kotlin.*                                       -app
module:kotlinx.*                                      -app
module:io.ktor.*                                      -app
module:io.netty.*                                     -app

# The browser's global error reporting and what it called
family:javascript function:reportError                ^-app -app

# Transpiler helpers, polyfills and Node's task queue: noise, never grouped
module:@babel/**                                      -app -group
module:core-js/**                                     -app -group
module:regenerator-runtime/**                         -app -group
module:tslib/**                                       -app -group
family:javascript function:_callSuper                 -app -group
function:runMicrotasks                                -app -group
function:queueMicrotask                               -app -group
function:processTicksAndRejections                    -app -group
function:runNextTicks                                 -app -group
function:nextTick                                     -app -group

# Other monitoring tools
module:newrelic                                       -app -group
path:**/*newrelic*/**                                 -app -group
path:**/*LogRocket*/**                                -app -group

# Dart and Flutter SDK frames
family:javascript path:org-dartlang-sdk:///**         -app -group
family:javascript module:**/packages/flutter/**       -app
family:native path:**/packages/flutter/**             -app
family:native path:lib/ui/hooks.dart                  -app
family:native path:lib/ui/platform_dispatcher.dart    -app

# sentry-dart and its integration packages: not in-app, most also not grouped
path:package:sentry/**                                -app -group
path:package:sentry_flutter/**                        -app -group
path:package:sentry_logging/**                        -app -group
path:package:sentry_dio/**                            -app -group
path:package:sentry_file/**                           -app -group
path:package:sentry_hive/**                           -app -group
path:package:sentry_isar/**                           -app -group
path:package:sentry_sqflite/**                        -app -group
path:package:sentry_drift/**                          -app -group
path:package:sentry_link/**                           -app
path:package:sentry_firebase_remote_config/**         -app
)rules";

// newstyle:2026-01-20 only: more Flutter engine and Dart SDK frames seen in native stack traces.
constexpr std::string_view flutter_native_extras = R"rules(
family:native path:package:flutter/**                 -app
family:native path:dart:**                            -app
family:native path:dart:*/**                          -app
family:native path:third_party/dart/sdk/**            -app
family:native package:**/Frameworks/Flutter.framework/**       -app
family:native package:**/Frameworks/FlutterMacOS.framework/**  -app
family:native function:"stub InvokeDartCode"          -app
family:native function:"stub CallBootstrapNative"     -app
)rules";

// The rules of both configs: all of newstyle:2025-11-21.
std::string shared_rules() {
	std::string text;
	for (std::string_view part : {frame_categories, neighbour_categories, ordered_in_app_marks, clearing_rules})
		text.append(part);
	return text;
}

} // namespace

std::string_view default_stacktrace_rules_text(std::string_view config_id) {
	if (config_id == "newstyle:2026-01-20") {
		static const std::string text = shared_rules().append(flutter_native_extras);
		return text;
	}
	if (config_id == "newstyle:2025-11-21") {
		static const std::string text = shared_rules();
		return text;
	}
	return {};
}

} // namespace triage
