//! An EXE server: its class objects registered with COM while it runs, and its `main`.

use std::time::Duration;

use windows::Win32::System::Com::{
    CLSCTX_LOCAL_SERVER, COINIT_MULTITHREADED, CoInitializeEx, CoRegisterClassObject,
    CoResumeClassObjects, CoRevokeClassObject, IClassFactory, REGCLS_MULTIPLEUSE, REGCLS_SUSPENDED,
};
use windows_core::Result;

use super::{ClassFactory, Server, ServerKind, count};
use crate::Scope;

/// How long an EXE server started with no client waits for its first object.
const IDLE: Duration = Duration::from_secs(60);

/// The class objects of an EXE server, registered with COM (`CoRegisterClassObject`) from
/// [`start`](Self::start) until dropped (`CoRevokeClassObject`).
#[derive(Debug)]
pub struct LocalServer {
    cookies: Vec<u32>,
}

impl LocalServer {
    /// Registers a class factory for every class of `server`, suspended until all are
    /// registered so that no client sees some without the others (`REGCLS_MULTIPLEUSE`: one
    /// process serves every client). COM must be initialised on the calling thread.
    pub fn start(server: &Server) -> Result<Self> {
        let mut this = Self {
            cookies: Vec::new(),
        };
        for class in server.classes {
            let factory: IClassFactory = ClassFactory::new(class.create).into();
            // SAFETY: a valid CLSID and a live factory, which COM keeps until revoked.
            let cookie = unsafe {
                CoRegisterClassObject(
                    &class.clsid,
                    &factory,
                    CLSCTX_LOCAL_SERVER,
                    REGCLS_MULTIPLEUSE | REGCLS_SUSPENDED,
                )
            }?;
            this.cookies.push(cookie);
        }
        // SAFETY: plain COM call.
        unsafe { CoResumeClassObjects() }?;
        Ok(this)
    }

    /// Blocks until the server is no longer used: its objects all released and no
    /// `LockServer` lock held, or nothing created within a minute of starting.
    pub fn wait_until_unused(&self) {
        count::wait_until_unused(IDLE);
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        for cookie in self.cookies.drain(..) {
            // SAFETY: a cookie CoRegisterClassObject returned, revoked once. Nothing to do
            // about a failure while shutting down.
            let _ = unsafe { CoRevokeClassObject(cookie) };
        }
    }
}

impl Server {
    /// The `main` of an EXE server, by its command line as COM and installers give it:
    /// `/RegServer` (`-RegServer`) registers the classes with `LocalServer32` and the type
    /// library per machine, `/RegServerPerUser` per user, `/UnregServer` and
    /// `/UnregServerPerUser` remove them; anything else (COM starts the server with
    /// `-Embedding`) serves the classes in the multithreaded apartment until they are no
    /// longer used.
    pub fn local_main(&self) -> Result<()> {
        // SAFETY: no reserved pointer; COM stays initialised until the process ends.
        unsafe { CoInitializeEx(None, COINIT_MULTITHREADED) }.ok()?;
        let arg = std::env::args().nth(1).unwrap_or_default();
        let switch = arg.trim_start_matches(['/', '-']).to_ascii_lowercase();
        match switch.as_str() {
            "regserver" => self.register(ServerKind::Local, Scope::Machine),
            "regserverperuser" => self.register(ServerKind::Local, Scope::User),
            "unregserver" => self.unregister(Scope::Machine),
            "unregserverperuser" => self.unregister(Scope::User),
            _ => {
                let running = LocalServer::start(self)?;
                running.wait_until_unused();
                Ok(())
            }
        }
    }
}
