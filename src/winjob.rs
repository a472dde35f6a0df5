//! Windows Job Objects: the worker processes and LibreOffice run inside a
//! job that kills them when it is closed — when xxgk closes it, or when xxgk
//! itself ends however it ends — and that caps each worker's memory
//! (`JOB_OBJECT_LIMIT_PROCESS_MEMORY`, the Windows counterpart of the
//! address-space limit set on Unix). Through `windows-sys`, Microsoft's own
//! bindings; the safe crates for jobs (win32job) do not expose the
//! per-process memory limit.

use std::ffi::c_void;
use std::io;
use std::os::windows::io::AsRawHandle;
use std::process::Child;
use windows_sys::Win32::Foundation::{CloseHandle, HANDLE};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JobObjectExtendedLimitInformation, SetInformationJobObject,
    TerminateJobObject, JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    JOB_OBJECT_LIMIT_PROCESS_MEMORY,
};

/// A job: its processes die when it is dropped.
#[derive(Debug)]
pub struct Job(HANDLE);

// SAFETY: a job handle may be used and closed from any thread.
unsafe impl Send for Job {}
// SAFETY: as above; the calls made through it are thread-safe.
unsafe impl Sync for Job {}

impl Job {
    /// A job that kills its processes when closed, each process of it
    /// limited to `memory_bytes` of committed memory (0: no limit).
    ///
    /// # Errors
    /// The system refused to make or set up the job.
    pub fn new(memory_bytes: u64) -> io::Result<Job> {
        // SAFETY: no attributes, no name: an anonymous job.
        let handle = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
        if handle.is_null() {
            return Err(io::Error::last_os_error());
        }
        let job = Job(handle);
        // SAFETY: a plain C struct; all zero is its empty value.
        let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
        info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        if memory_bytes > 0 {
            info.BasicLimitInformation.LimitFlags |= JOB_OBJECT_LIMIT_PROCESS_MEMORY;
            info.ProcessMemoryLimit = usize::try_from(memory_bytes).unwrap_or(usize::MAX);
        }
        let size = u32::try_from(std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>()).unwrap_or(u32::MAX);
        // SAFETY: `info` lives for the call and `size` is its size.
        let ok = unsafe {
            SetInformationJobObject(job.0, JobObjectExtendedLimitInformation, (&raw const info).cast::<c_void>(), size)
        };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(job)
    }

    /// Put a process in the job (the processes it starts follow it).
    ///
    /// # Errors
    /// The system refused.
    pub fn assign(&self, child: &Child) -> io::Result<()> {
        // SAFETY: both handles are open: the job's is ours, the child's
        // belongs to `child`, alive for the call.
        let ok = unsafe { AssignProcessToJobObject(self.0, child.as_raw_handle() as HANDLE) };
        if ok == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Kill every process of the job, and wait (at most `within`) until
    /// none is left: a process still dying may hold files open.
    pub fn terminate(&self, within: std::time::Duration) {
        // SAFETY: the job's handle is open until drop.
        unsafe {
            TerminateJobObject(self.0, 1);
        }
        let start = std::time::Instant::now();
        while self.active() > 0 && start.elapsed() < within {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }

    /// How many processes of the job are running.
    fn active(&self) -> u32 {
        use windows_sys::Win32::System::JobObjects::{
            JobObjectBasicAccountingInformation, QueryInformationJobObject, JOBOBJECT_BASIC_ACCOUNTING_INFORMATION,
        };
        // SAFETY: a plain C struct; all zero is its empty value.
        let mut info: JOBOBJECT_BASIC_ACCOUNTING_INFORMATION = unsafe { std::mem::zeroed() };
        let size = u32::try_from(std::mem::size_of::<JOBOBJECT_BASIC_ACCOUNTING_INFORMATION>()).unwrap_or(u32::MAX);
        // SAFETY: `info` is writable and `size` is its size.
        let ok = unsafe {
            QueryInformationJobObject(
                self.0,
                JobObjectBasicAccountingInformation,
                (&raw mut info).cast::<c_void>(),
                size,
                std::ptr::null_mut(),
            )
        };
        if ok == 0 {
            0
        } else {
            info.ActiveProcesses
        }
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        // SAFETY: the handle is ours and closed once.
        unsafe {
            CloseHandle(self.0);
        }
    }
}

/// Whether this process has the console to itself: it was started by a
/// double-click in Explorer (which makes a console for it), not from a
/// command prompt or PowerShell (whose console it shares).
pub fn own_console() -> bool {
    let mut ids = [0u32; 4];
    // SAFETY: the buffer and its length match.
    let n = unsafe { windows_sys::Win32::System::Console::GetConsoleProcessList(ids.as_mut_ptr(), 4) };
    n == 1
}

/// LibreOffice's program folder as its installer records it in the
/// registry (`HKLM\SOFTWARE\LibreOffice\UNO\InstallPath`), if any.
pub fn libreoffice_folder() -> Option<std::path::PathBuf> {
    use std::os::windows::ffi::{OsStrExt, OsStringExt};
    use windows_sys::Win32::System::Registry::{RegGetValueW, HKEY_LOCAL_MACHINE, RRF_RT_REG_SZ};
    let key: Vec<u16> =
        std::ffi::OsStr::new(r"SOFTWARE\LibreOffice\UNO\InstallPath").encode_wide().chain([0]).collect();
    let mut buf = vec![0u16; 1024];
    let mut size = u32::try_from(buf.len() * 2).unwrap_or(0);
    // SAFETY: the key is NUL-terminated, the default value is asked for
    // (null name), and `buf`/`size` describe a writable buffer in bytes.
    let status = unsafe {
        RegGetValueW(
            HKEY_LOCAL_MACHINE,
            key.as_ptr(),
            std::ptr::null(),
            RRF_RT_REG_SZ,
            std::ptr::null_mut(),
            buf.as_mut_ptr().cast::<c_void>(),
            &mut size,
        )
    };
    if status != 0 {
        return None;
    }
    let len = buf.iter().position(|c| *c == 0).unwrap_or(0);
    let path = std::path::PathBuf::from(std::ffi::OsString::from_wide(buf.get(..len)?));
    (!path.as_os_str().is_empty()).then_some(path)
}
