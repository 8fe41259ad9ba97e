import { render } from 'preact';
import { App } from './App.jsx';
import { Session } from './lib/auth.js';
import { applyTheme, currentTheme } from './lib/theme.js';
import './style.css';

applyTheme(currentTheme());
render(<App session={new Session()} />, document.getElementById('app'));
