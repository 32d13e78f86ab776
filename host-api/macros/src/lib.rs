//! `#[entry]`: turns a contract function into a wasm export with the ABI's entry-point signature.
//!
//! The function is kept as written; the macro adds
//!
//! ```ignore
//! #[unsafe(export_name = "name")]
//! extern "C" fn __entry_name(arg_len: i32) -> i32 { /* decode args, call, encode result */ }
//! ```
//!
//! and records `name(arg: Type, …) -> Ret` in the `contract-signatures` custom section, which
//! tools read to encode JSON arguments. See `host_api::guest` for the semantics.

use proc_macro::TokenStream;
use quote::{format_ident, quote};
use syn::{FnArg, ItemFn, Pat, ReturnType, Type, parse_macro_input};

/// Export a function as a contract entry point. See the crate docs.
#[proc_macro_attribute]
pub fn entry(attr: TokenStream, item: TokenStream) -> TokenStream {
    if !attr.is_empty() {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "#[entry] takes no arguments",
        )
        .to_compile_error()
        .into();
    }
    let func = parse_macro_input!(item as ItemFn);
    match expand(&func) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(func: &ItemFn) -> syn::Result<proc_macro2::TokenStream> {
    let sig = &func.sig;
    if let Some(generics) = sig.generics.lt_token {
        return Err(syn::Error::new(
            generics.span,
            "entry points cannot be generic",
        ));
    }
    if sig.asyncness.is_some() || sig.unsafety.is_some() {
        return Err(syn::Error::new_spanned(
            sig,
            "entry points are plain safe functions",
        ));
    }
    let name = &sig.ident;
    let export = format_ident!("__entry_{}", name);
    let name_str = name.to_string();

    let mut arg_names = Vec::new();
    let mut arg_types = Vec::new();
    let mut signature_args = Vec::new();
    for (i, input) in sig.inputs.iter().enumerate() {
        let FnArg::Typed(pat_type) = input else {
            return Err(syn::Error::new_spanned(
                input,
                "entry points take no `self`",
            ));
        };
        let label = match &*pat_type.pat {
            Pat::Ident(id) => id.ident.to_string(),
            _ => format!("arg{i}"),
        };
        let ty = &*pat_type.ty;
        arg_names.push(format_ident!("__arg{}", i));
        arg_types.push(ty.clone());
        signature_args.push(format!("{label}: {}", type_text(ty)));
    }

    let (finish, ret_text) = match &sig.output {
        ReturnType::Default => (quote!(finish_value), "()".to_string()),
        ReturnType::Type(_, ty) => {
            let f = if is_result(ty) {
                quote!(finish_result)
            } else {
                quote!(finish_value)
            };
            (f, type_text(ty))
        }
    };
    let signature = format!("{name_str}({}) -> {ret_text}\n", signature_args.join(", "));
    let signature_bytes = proc_macro2::Literal::byte_string(signature.as_bytes());
    let signature_len = signature.len();
    let signature_static = format_ident!("__SIGNATURE_{}", name_str.to_uppercase());

    Ok(quote! {
        #func

        #[doc(hidden)]
        #[unsafe(export_name = #name_str)]
        pub extern "C" fn #export(arg_len: i32) -> i32 {
            let (#(#arg_names,)*): (#(#arg_types,)*) =
                match ::host_api::guest::__private::read_args(#name_str, arg_len) {
                    Ok(args) => args,
                    Err(status) => return status,
                };
            ::host_api::guest::__private::#finish(#name(#(#arg_names),*))
        }

        #[doc(hidden)]
        #[cfg(target_family = "wasm")]
        #[unsafe(link_section = "contract-signatures")]
        #[used]
        static #signature_static: [u8; #signature_len] = *#signature_bytes;
    })
}

/// The type as source text with the spaces `quote` inserts removed where Rust never writes them.
fn type_text(ty: &Type) -> String {
    quote!(#ty)
        .to_string()
        .replace(" < ", "<")
        .replace("< ", "<")
        .replace(" >", ">")
        .replace(" ,", ",")
        .replace("[ ", "[")
        .replace(" ]", "]")
        .replace(" ;", ";")
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(":: ", "::")
        .replace(" ::", "::")
}

fn is_result(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => p.path.segments.last().is_some_and(|s| s.ident == "Result"),
        _ => false,
    }
}
