import { mount } from "svelte";
import App from "./App.svelte";
import { fixLanguage } from "./lib/locale";
import "./app.css";

fixLanguage(navigator);

const target = document.getElementById("app");
if (!target) throw new Error("no #app element");
export default mount(App, { target });
